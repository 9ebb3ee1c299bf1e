import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const readJson = (file: string) => JSON.parse(fs.readFileSync(path.join(root, file), 'utf8'));

const publishable = fs
  .readdirSync(path.join(root, 'packages'))
  .map((dir) => ({ dir, pkg: readJson(`packages/${dir}/package.json`) }))
  .filter(({ pkg }) => !pkg.private);

describe('the changesets configuration', () => {
  it('has one source of truth: the root changeset.config.json links to .changeset/config.json', () => {
    const link = path.join(root, 'changeset.config.json');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(fs.realpathSync(link)).toBe(fs.realpathSync(path.join(root, '.changeset/config.json')));
  });

  it('never versions or publishes private packages', () => {
    const config = readJson('.changeset/config.json');
    expect(config.privatePackages).toEqual({ version: false, tag: false });
  });
});

describe('every publishable package', () => {
  it.each(publishable.map(({ dir, pkg }) => [dir, pkg]))(
    '%s declares what publishers and old resolvers need',
    (dir, pkg) => {
      expect(pkg.version).toMatch(/^0\.\d+\.\d+/);
      expect(pkg.sideEffects).toBe(false);
      expect(pkg.engines.node).toBe('>=20');
      expect(pkg.publishConfig).toEqual({ access: 'public' });
      expect(pkg.files).toContain('dist');
      expect(fs.existsSync(path.join(root, 'packages', dir, 'README.md'))).toBe(true);
      // `npm pack` before `npm run build` must never produce a tarball without its code.
      expect(pkg.scripts.prepack).toBe('node ../../scripts/prepack.mjs');
      if (pkg.bin) return;
      expect(pkg.main).toBeTypeOf('string');
      expect(pkg.module).toBeTypeOf('string');
      expect(pkg.types).toBeTypeOf('string');
      for (const [subpath, target] of Object.entries<Record<string, unknown>>(pkg.exports)) {
        if (subpath.endsWith('package.json')) continue;
        // Every entry can be imported; all but the ESM-only ones (the vitest-based
        // `@milkyway/events/testing`) can be required too.
        const esmOnly = pkg.name === '@milkyway/events' && subpath === './testing';
        expect(target.require === undefined).toBe(esmOnly);
        for (const condition of esmOnly
          ? (['import'] as const)
          : (['import', 'require'] as const)) {
          const entry = target[condition] as Record<string, string>;
          // `types` must come first in each condition, or TypeScript may miss it.
          expect(Object.keys(entry)[0]).toBe('types');
        }
      }
    },
  );

  it('shares hono and zod with the user as peer dependencies, never bundling its own copy', () => {
    for (const { pkg } of publishable) {
      expect(pkg.dependencies?.hono).toBeUndefined();
      expect(pkg.dependencies?.zod).toBeUndefined();
    }
  });
});
