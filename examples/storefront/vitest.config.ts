import { defineConfig } from 'vitest/config';

// Used when the storefront's tests run on their own (`npm test` here, or in a project made with
// `npm create milkyway -- --example storefront`); the monorepo's root config sets the same.
// The tests start real processes, so they get minutes, not vitest's default seconds.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 90_000,
  },
});
