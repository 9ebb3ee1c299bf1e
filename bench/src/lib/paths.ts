import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packagesBuild } from './builds.js';

/** bench/ (the workspace package root). */
export const BENCH_DIR = fileURLToPath(new URL('../../', import.meta.url));
/** bench/tsconfig.json: maps @milkyway/* to the packages' sources for tsx. */
export const TSCONFIG = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
/** bench/tsconfig.dist.json: no such mapping, so @milkyway/* resolve to the packages' dist/. */
export const TSCONFIG_DIST = fileURLToPath(new URL('../../tsconfig.dist.json', import.meta.url));
/** bench/results/ (gitignored). */
export const RESULTS_DIR = fileURLToPath(new URL('../../results/', import.meta.url));

/** Absolute path of a server entry in src/servers/. */
export const serverEntry = (name: string) =>
  fileURLToPath(new URL(`../servers/${name}.ts`, import.meta.url));

/** Absolute path of a micro-benchmark module in src/micro/. */
export const microEntry = (name: string) =>
  fileURLToPath(new URL(`../micro/${name}.ts`, import.meta.url));

/**
 * Environment of a benchmark child: tsx with the tsconfig that makes @milkyway/* the built
 * packages or their sources (see lib/builds.ts; a TSX_TSCONFIG_PATH the caller sets wins).
 */
export const tsxEnv = () => ({
  ...process.env,
  TSX_TSCONFIG_PATH: packagesBuild() === 'dist' ? TSCONFIG_DIST : TSCONFIG,
});
const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
/** `--import <tsx loader>` as an absolute URL, so children start from any working directory. */
export const TSX_IMPORT = ['--import', pathToFileURL(join(tsxDir, 'dist/loader.mjs')).href];
