import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

// The runtime entries, ESM + CJS. `@milkyway/events/testing` is built by tsup.testing.config.ts
// after this one: it imports vitest, which cannot be required, so that entry is ESM only.
export default defineConfig(packageBuild({ entry: ['src/index.ts', 'src/http.ts'] }));
