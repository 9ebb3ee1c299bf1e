import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (name: string) =>
  fileURLToPath(new URL(`./packages/${name}/src/index.ts`, import.meta.url));

// Workspace packages resolve to their TypeScript source, so tests need no build step.
const alias = {
  '@milkyway/core': source('core'),
  '@milkyway/resilience': source('resilience'),
  '@milkyway/observability/setup': fileURLToPath(
    new URL('./packages/observability/src/setup.ts', import.meta.url),
  ),
  '@milkyway/observability': source('observability'),
  '@milkyway/auth': source('auth'),
  '@milkyway/redis': source('redis'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        test: { name: 'repository', include: ['test/**/*.test.ts'] },
      },
      {
        resolve: { alias },
        test: {
          name: 'packages',
          include: ['packages/*/test/**/*.test.ts'],
          testTimeout: 15_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'examples',
          include: [
            'examples/**/test/**/*.test.ts',
            'bench/test/**/*.test.ts',
            'docs/**/*.test.ts',
          ],
          exclude: ['**/node_modules/**'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
