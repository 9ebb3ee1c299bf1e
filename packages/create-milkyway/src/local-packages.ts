import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** The folder of a new project that holds the packed local packages (`--local`). */
export const LOCAL_PACKAGES_DIR = 'vendor/milkyway';

/**
 * The repository create-milkyway runs from, when it runs from a clone (its `dist/` or `src/`
 * sits in `packages/create-milkyway/` of a checkout with `packages/core/`); undefined when it
 * was installed from a registry.
 */
export function repositoryRoot(here: string): string | undefined {
  const root = path.resolve(here, '..', '..', '..');
  const marker = path.join(root, 'packages', 'core', 'package.json');
  return fs.existsSync(marker) ? root : undefined;
}

/**
 * Packs every publishable `@milkyway/*` package of a clone into `<targetDir>/vendor/milkyway`
 * and returns, for each package name, the `file:` specifier a project's package.json uses for
 * it. `npm pack` runs each package's `prepack`, which builds it first when its `dist/` is
 * missing or older than its sources, so the tarballs are never empty.
 */
export function packLocalPackages(repoRoot: string, targetDir: string): Record<string, string> {
  const destination = path.join(targetDir, LOCAL_PACKAGES_DIR);
  fs.mkdirSync(destination, { recursive: true });
  const specs: Record<string, string> = {};
  const packagesDir = path.join(repoRoot, 'packages');
  for (const dir of fs.readdirSync(packagesDir)) {
    const file = path.join(packagesDir, dir, 'package.json');
    if (!fs.existsSync(file)) continue;
    const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name: string; private?: boolean };
    if (pkg.private || !pkg.name.startsWith('@milkyway/')) continue;
    const out = execFileSync(
      'npm',
      ['pack', '--json', '--loglevel=error', '--pack-destination', destination],
      { cwd: path.dirname(file), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const [packed] = JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string }>;
    if (!packed) throw new Error(`npm pack produced nothing for ${pkg.name}`);
    specs[pkg.name] = `file:${LOCAL_PACKAGES_DIR}/${packed.filename}`;
  }
  return specs;
}
