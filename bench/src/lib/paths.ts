import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** bench/ (the workspace package root). */
export const BENCH_DIR = fileURLToPath(new URL('../../', import.meta.url));
/** bench/tsconfig.json: maps @milkyway/* to the packages' sources for tsx. */
export const TSCONFIG = fileURLToPath(new URL('../../tsconfig.json', import.meta.url));
/** bench/results/ (gitignored). */
export const RESULTS_DIR = fileURLToPath(new URL('../../results/', import.meta.url));

/** Absolute path of a server entry in src/servers/. */
export const serverEntry = (name: string) =>
  fileURLToPath(new URL(`../servers/${name}.ts`, import.meta.url));

/** Absolute path of a micro-benchmark module in src/micro/. */
export const microEntry = (name: string) =>
  fileURLToPath(new URL(`../micro/${name}.ts`, import.meta.url));

/** Node flags that load TypeScript through tsx with bench's tsconfig. */
export const tsxEnv = () => ({ ...process.env, TSX_TSCONFIG_PATH: TSCONFIG });
const tsxDir = dirname(createRequire(import.meta.url).resolve('tsx/package.json'));
/** `--import <tsx loader>` as an absolute URL, so children start from any working directory. */
export const TSX_IMPORT = ['--import', pathToFileURL(join(tsxDir, 'dist/loader.mjs')).href];
