import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

// `@milkyway/events/testing` (the transport contract suite) imports vitest, which is ESM only
// (`require('vitest')` throws), so this entry is ESM only too. It runs after the main build
// (npm run build) and must not clean the folder that build just wrote.
export default defineConfig(
  packageBuild({ entry: ['src/testing.ts'], format: ['esm'], clean: false }),
);
