import type { Options } from 'tsup';

/**
 * The one build every publishable package uses: ESM + CJS + declarations for both,
 * built against the package's own tsconfig.build.json (which has no `paths`, so a sibling
 * workspace package resolves to its built `dist/` and stays an external import).
 */
export function packageBuild(overrides: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    tsconfig: 'tsconfig.build.json',
    ...overrides,
  };
}
