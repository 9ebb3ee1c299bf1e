import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

// Two entry points: the kernel and the test helpers (`@milkyway/core/testing`).
export default defineConfig(packageBuild({ entry: ['src/index.ts', 'src/testing.ts'] }));
