import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.shared.js';

// Two entry points: the middleware (API only) and the SDK set-up, so that importing the
// middleware never loads the OpenTelemetry SDK.
export default defineConfig(packageBuild({ entry: ['src/index.ts', 'src/setup.ts'] }));
