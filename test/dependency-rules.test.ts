import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// The dependency check must fail on a deliberate violation, not only pass on the real tree.
// Each case lays out a tiny repository with the real .dependency-cruiser.cjs and runs the tool.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const depcruise = path.join(
  root,
  'node_modules',
  'dependency-cruiser',
  'bin',
  'dependency-cruise.mjs',
);
const PACKAGES = [
  'protocol',
  'core',
  'resilience',
  'observability',
  'auth',
  'events',
  'redis',
  'nats',
  'postgres',
  'create-milkyway',
];

let tmp: string | undefined;
afterEach(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

/** Writes the files (path -> content) into a scratch repository and runs the check there. */
function check(files: Record<string, string>): { ok: boolean; output: string } {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'depcruise-'));
  fs.copyFileSync(
    path.join(root, '.dependency-cruiser.cjs'),
    path.join(tmp, '.dependency-cruiser.cjs'),
  );
  const paths: Record<string, string[]> = {};
  for (const name of PACKAGES) {
    const exports = { '.': './dist/index.js', './testing': './dist/testing.js' };
    write(`packages/${name}/package.json`, JSON.stringify({ name: `@milkyway/${name}`, exports }));
    write(`packages/${name}/src/index.ts`, 'export const x = 1;\n');
    paths[`@milkyway/${name}`] = [`./packages/${name}/src/index.ts`];
    paths[`@milkyway/${name}/*`] = [`./packages/${name}/src/*.ts`];
  }
  write(
    'tsconfig.json',
    JSON.stringify({
      compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', paths },
    }),
  );
  for (const [file, content] of Object.entries(files)) write(file, content);
  try {
    const output = execFileSync(
      process.execPath,
      [depcruise, '--config', '.dependency-cruiser.cjs', '--output-type', 'err', 'packages'],
      {
        cwd: tmp,
        encoding: 'utf8',
        stdio: 'pipe',
      },
    );
    return { ok: true, output };
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }

  function write(file: string, content: string) {
    const full = path.join(tmp as string, file);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
}

describe('the dependency check (npm run lint:deps)', { timeout: 60_000 }, () => {
  it('accepts a package importing a layer below it through its entry point', () => {
    const result = check({
      'packages/core/src/index.ts': "export { x } from '@milkyway/protocol';\n",
    });
    expect(result.output).not.toContain('error');
    expect(result.ok).toBe(true);
  });

  it('refuses an upward import (protocol importing core)', () => {
    const result = check({
      'packages/protocol/src/index.ts': "export { x } from '@milkyway/core';\n",
    });
    expect(result.ok).toBe(false);
    expect(result.output).toContain('layers-protocol');
  });

  it('refuses a sideways import that the design does not allow (resilience importing auth)', () => {
    const result = check({
      'packages/resilience/src/index.ts': "export { x } from '@milkyway/auth';\n",
    });
    expect(result.ok).toBe(false);
    expect(result.output).toContain('layers-resilience');
  });

  it('refuses a deep import into another package', () => {
    const result = check({
      'packages/core/src/internal.ts': 'export const y = 2;\n',
      'packages/auth/src/index.ts': "export { y } from '@milkyway/core/internal';\n",
    });
    expect(result.ok).toBe(false);
    expect(result.output).toContain('no-deep-import-core');
  });

  it('accepts a declared subpath entry point', () => {
    const result = check({
      'packages/core/src/testing.ts': 'export const t = 3;\n',
      'packages/auth/src/index.ts': "export { t } from '@milkyway/core/testing';\n",
    });
    expect(result.ok).toBe(true);
  });

  it('accepts a cycle made only of type imports (nothing loads at run time)', () => {
    const result = check({
      'packages/core/src/a.ts': "import type { B } from './b.js';\nexport interface A { b?: B }\n",
      'packages/core/src/b.ts': "import type { A } from './a.js';\nexport interface B { a?: A }\n",
    });
    expect(result.output).not.toContain('no-circular');
    expect(result.ok).toBe(true);
  });

  it('refuses a cycle', () => {
    const result = check({
      'packages/core/src/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'packages/core/src/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
    });
    expect(result.ok).toBe(false);
    expect(result.output).toContain('no-circular');
  });
});
