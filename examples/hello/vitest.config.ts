import { defineConfig } from 'vitest/config';

// The start test builds the service (`npm start` runs `npm run build` first) and starts it:
// seconds on a quiet machine, over 30 s on a busy 2-core one (tsc is CPU-bound), not vitest's
// default 5 s. Every wait inside the test is bounded by its own timeout, below this one.
export default defineConfig({
  test: { testTimeout: 180_000, hookTimeout: 60_000 },
});
