import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

// Three entry points: the primitives (no hono), the HTTP client + proxy, the Hono middleware.
const entry = ['src/index.ts', 'src/http.ts', 'src/hono.ts'];

// p-retry 7 is ESM-only. The ESM build imports it like any dependency; the CJS build bundles it
// (and its one dependency), because `require()` of an ES module only works from Node 20.19 on
// and we support every Node 20.
export default defineConfig([
  // Both configs run in parallel, so neither cleans `dist/`: the build script does, first.
  packageBuild({ entry, format: ['esm'], clean: false }),
  packageBuild({
    entry,
    format: ['cjs'],
    clean: false,
    noExternal: ['p-retry', 'is-network-error'],
  }),
]);
