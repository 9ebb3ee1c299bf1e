import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The folder of conformance vectors: `MILKYWAY_VECTORS` when set, else the repository's own
 * vendored copy in `vectors/` (see vectors/README.md for provenance and licences). Returns
 * undefined (and says why) when it is absent, unless `MILKYWAY_REQUIRE_VECTORS=1`, in which
 * case a missing folder throws.
 */
export function vectorsDir(): string | undefined {
  const dir = process.env.MILKYWAY_VECTORS ?? path.resolve(repoRoot, 'vectors');
  if (fs.existsSync(path.join(dir, 'wycheproof', 'json_web_signature_test.json'))) return dir;
  const message = `conformance vectors not found at ${dir} (set MILKYWAY_VECTORS to their folder)`;
  if (process.env.MILKYWAY_REQUIRE_VECTORS === '1') {
    throw new Error(`${message}; MILKYWAY_REQUIRE_VECTORS=1, so this fails instead of skipping`);
  }
  console.warn(`[skip] ${message}`);
  return undefined;
}

/** Reads a JSON file under the vectors folder. */
export function readVector<T = unknown>(dir: string, relative: string): T {
  return JSON.parse(fs.readFileSync(path.join(dir, relative), 'utf8')) as T;
}
