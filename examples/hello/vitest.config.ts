import { defineConfig } from 'vitest/config';

// The start test builds the service (`npm start` runs `npm run build` first) and starts it:
// seconds, not vitest's default 5 s. Every wait inside the test is bounded by its own timeout.
export default defineConfig({
  test: { testTimeout: 60_000, hookTimeout: 60_000 },
});
