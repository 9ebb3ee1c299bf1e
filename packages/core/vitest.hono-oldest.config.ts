import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The Hono bridge's tests against the OLDEST Hono of core's peer range (hono-oldest, an npm
// alias pinned to 4.9.0): every import of `hono` or `hono/...` resolves to it. The default run
// (`vitest run`) covers the newest installed Hono. Run: `npm run test:hono-range`.
const root = fileURLToPath(new URL('../../', import.meta.url));

export default defineConfig({
  root,
  resolve: {
    alias: [{ find: /^hono(\/.*)?$/, replacement: 'hono-oldest$1' }],
  },
  test: {
    name: 'hono-oldest',
    include: ['packages/core/test/hono-bridge.test.ts'],
  },
});
