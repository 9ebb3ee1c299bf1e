import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const packages = fileURLToPath(new URL('./packages/', import.meta.url));

// Workspace packages resolve to their TypeScript source, so tests need no build step:
// `@milkyway/<name>` is `packages/<name>/src/index.ts` and a subpath entry
// `@milkyway/<name>/<entry>` is `packages/<name>/src/<entry>.ts` (the same rule as tsconfig.json).
const alias = [
  { find: /^@milkyway\/([a-z-]+)\/([a-z-]+)$/, replacement: `${packages}$1/src/$2.ts` },
  { find: /^@milkyway\/([a-z-]+)$/, replacement: `${packages}$1/src/index.ts` },
];

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
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
