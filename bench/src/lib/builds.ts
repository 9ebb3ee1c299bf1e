// Which build of the @milkyway packages the benchmark processes load: their compiled `dist/`
// (what users run, and what the peers' packages are: compiled JavaScript) or their TypeScript
// sources through tsx (whose transform wraps every function created at run time in a `__name()`
// call, 2–4 % of our code's profile, and keeps source maps in memory).
import { readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PACKAGES_DIR = fileURLToPath(new URL('../../../packages/', import.meta.url));

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = `${dir}/${entry.name}`;
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Why the built packages cannot be used (one missing or older than its sources), or undefined. */
export function staleBuild(): string | undefined {
  for (const name of readdirSync(PACKAGES_DIR)) {
    const dir = `${PACKAGES_DIR}${name}`;
    let built: number;
    try {
      built = statSync(`${dir}/dist/index.js`).mtimeMs;
    } catch {
      return `packages/${name}/dist is not built`;
    }
    if (newestMtime(`${dir}/src`) > built) return `packages/${name}/dist is older than its src`;
  }
  return undefined;
}

export type Build = 'dist' | 'src';

let chosen: Build | undefined;

/**
 * BENCH_PACKAGES=dist|src|auto (default auto): `auto` takes the built packages when every one is
 * built and newer than its sources (`npm run build` at the repository root), the sources
 * otherwise; `dist` insists on the build. Decided once per process; the reason is printed.
 */
export function packagesBuild(): Build {
  if (chosen !== undefined) return chosen;
  const wanted = process.env.BENCH_PACKAGES ?? 'auto';
  if (wanted === 'src') chosen = 'src';
  else {
    const problem = staleBuild();
    if (problem === undefined) chosen = 'dist';
    else if (wanted === 'dist') throw new Error(`BENCH_PACKAGES=dist, but ${problem}`);
    else {
      process.stderr.write(`bench: ${problem}; the @milkyway packages run from their sources\n`);
      chosen = 'src';
    }
  }
  return chosen;
}
