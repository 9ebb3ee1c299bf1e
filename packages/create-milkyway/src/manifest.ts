import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Written next to the bundled examples when create-milkyway is built: which examples it
 * carries, the @milkyway/* versions released together with it, and the tool versions a
 * standalone project needs (the ones the repository itself is tested with).
 */
export interface TemplateManifest {
  /** The example folders under templates/. */
  examples: string[];
  /** Published version of each @milkyway/* package, e.g. `{ "@milkyway/core": "0.1.0" }`. */
  packages: Record<string, string>;
  /** devDependencies every scaffolded project gets (tsx, vitest, typescript, @types/node). */
  devDependencies: Record<string, string>;
}

/** The templates folder shipped in the package (`<package>/templates`). */
export function defaultTemplatesDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  // dist/index.js -> ../templates ; src/manifest.ts (tests) -> ../templates
  return path.resolve(here, '..', 'templates');
}

/** Reads templates/manifest.json; explains how to build it when it is missing. */
export function readManifest(templatesDir: string): TemplateManifest {
  const file = path.join(templatesDir, 'manifest.json');
  if (!fs.existsSync(file)) {
    throw new Error(
      `no templates at ${templatesDir}: build create-milkyway first (npm run build -w packages/create-milkyway)`,
    );
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as TemplateManifest;
}
