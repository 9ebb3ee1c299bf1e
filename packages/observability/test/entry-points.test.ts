import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');

/** Every bare import reachable from a source file, following relative imports. */
function reachableImports(entry: string): Set<string> {
  const seen = new Set<string>();
  const bare = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    // Code only: the JSDoc examples import from other packages.
    const text = fs
      .readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const match of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)) {
      const specifier = match[1]!;
      if (specifier.startsWith('.'))
        visit(path.resolve(path.dirname(file), specifier.replace(/\.js$/, '.ts')));
      else bare.add(specifier);
    }
  };
  visit(path.join(src, entry));
  return bare;
}

describe('the package entry points', () => {
  it('the main entry loads only @milkyway/protocol, @opentelemetry/api, pino and hono', () => {
    const imports = [...reachableImports('index.ts')].sort();
    expect(imports).toEqual([
      '@milkyway/protocol',
      '@opentelemetry/api',
      'hono',
      'hono/route',
      'pino',
    ]);
  });

  it('only the setup entry imports SDK packages', () => {
    const sdk = [...reachableImports('setup.ts')].filter(
      (name) => name.startsWith('@opentelemetry/') && name !== '@opentelemetry/api',
    );
    expect(sdk.length).toBeGreaterThan(0);
  });

  it('imports no other Milkyway package than the shared protocol', () => {
    const all = [...reachableImports('index.ts'), ...reachableImports('setup.ts')];
    const milkyway = new Set(all.filter((name) => name.startsWith('@milkyway/')));
    expect([...milkyway]).toEqual(['@milkyway/protocol']);
  });
});
