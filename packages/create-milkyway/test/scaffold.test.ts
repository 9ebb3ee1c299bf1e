import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseCliArgs } from '../src/args.js';
import { main } from '../src/cli.js';
import type { TemplateManifest } from '../src/manifest.js';
import { scaffold, toPackageName } from '../src/scaffold.js';

const manifest: TemplateManifest = {
  examples: ['hello', 'storefront'],
  packages: { '@milkyway/core': '1.2.3', '@milkyway/auth': '0.4.0' },
  devDependencies: { tsx: '^4.0.0', vitest: '~4.1.0' },
};

let tmp: string;
let templatesDir: string;

function write(file: string, text: string) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'create-milkyway-'));
  templatesDir = path.join(tmp, 'templates');
  write(path.join(templatesDir, 'manifest.json'), JSON.stringify(manifest));
  const hello = path.join(templatesDir, 'hello');
  write(
    path.join(hello, 'package.json'),
    JSON.stringify({
      name: '@milkyway-examples/hello',
      private: true,
      scripts: { start: 'tsx src/main.ts' },
      dependencies: { '@milkyway/core': '^0.1.0', hono: '^4.9.0' },
    }),
  );
  write(path.join(hello, 'src', 'main.ts'), 'export {};\n');
  write(path.join(hello, 'test', 'main.test.ts'), 'export {};\n');
  write(path.join(hello, 'node_modules', 'x', 'index.js'), '');
  write(path.join(hello, 'dist', 'main.js'), '');
  write(path.join(hello, 'CHANGELOG.md'), '# changes');
  const store = path.join(templatesDir, 'storefront');
  write(
    path.join(store, 'package.json'),
    JSON.stringify({ name: 'x', dependencies: { '@milkyway/auth': '*' } }),
  );
  write(
    path.join(store, 'catalog', 'package.json'),
    JSON.stringify({ name: 'y', dependencies: { '@milkyway/core': '*' } }),
  );
});

afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('scaffold', () => {
  it('copies the hello example by default into the new folder', () => {
    const result = scaffold({
      targetDir: path.join(tmp, 'my-service'),
      example: 'hello',
      templatesDir,
    });
    expect(result.files).toContain(path.join('src', 'main.ts'));
    expect(fs.existsSync(path.join(tmp, 'my-service', 'test', 'main.test.ts'))).toBe(true);
  });

  it('depends on the released @milkyway versions and keeps other dependencies', () => {
    scaffold({ targetDir: path.join(tmp, 'svc'), example: 'hello', templatesDir });
    const pkg = readJson(path.join(tmp, 'svc', 'package.json'));
    expect(pkg.dependencies).toEqual({ '@milkyway/core': '^1.2.3', hono: '^4.9.0' });
  });

  it('gives the project the tools it needs as devDependencies and a test script', () => {
    scaffold({ targetDir: path.join(tmp, 'svc'), example: 'hello', templatesDir });
    const pkg = readJson(path.join(tmp, 'svc', 'package.json'));
    expect(pkg.devDependencies).toEqual(manifest.devDependencies);
    expect(pkg.scripts).toMatchObject({ start: 'tsx src/main.ts', test: 'vitest run' });
    expect(pkg.private).toBe(true);
    expect(pkg.type).toBe('module');
  });

  it('names the package after the folder', () => {
    scaffold({ targetDir: path.join(tmp, 'Orders API'), example: 'hello', templatesDir });
    expect(readJson(path.join(tmp, 'Orders API', 'package.json')).name).toBe('orders-api');
  });

  it('leaves node_modules, dist and the changelog behind', () => {
    const result = scaffold({ targetDir: path.join(tmp, 'svc'), example: 'hello', templatesDir });
    expect(result.files.some((f) => /node_modules|dist|CHANGELOG/.test(f))).toBe(false);
    expect(fs.existsSync(path.join(tmp, 'svc', 'node_modules'))).toBe(false);
  });

  it('writes a standalone tsconfig without the monorepo paths', () => {
    scaffold({ targetDir: path.join(tmp, 'svc'), example: 'hello', templatesDir });
    const tsconfig = readJson(path.join(tmp, 'svc', 'tsconfig.json'));
    expect(tsconfig.extends).toBeUndefined();
    expect(tsconfig.compilerOptions.paths).toBeUndefined();
    expect(tsconfig.compilerOptions.strict).toBe(true);
    expect(fs.readFileSync(path.join(tmp, 'svc', '.gitignore'), 'utf8')).toContain('node_modules');
  });

  it('pins the @milkyway dependencies of every service folder in a multi-service example', () => {
    scaffold({ targetDir: path.join(tmp, 'shop'), example: 'storefront', templatesDir });
    expect(readJson(path.join(tmp, 'shop', 'package.json')).dependencies).toEqual({
      '@milkyway/auth': '^0.4.0',
    });
    const catalog = readJson(path.join(tmp, 'shop', 'catalog', 'package.json'));
    expect(catalog).toMatchObject({
      name: 'shop-catalog',
      dependencies: { '@milkyway/core': '^1.2.3' },
    });
  });

  it('depends on locally packed tarballs with --local, in service folders too, and overrides transitive ones', () => {
    const local = {
      '@milkyway/core': 'file:vendor/milkyway/milkyway-core-1.2.3.tgz',
      '@milkyway/auth': 'file:vendor/milkyway/milkyway-auth-0.4.0.tgz',
      '@milkyway/protocol': 'file:vendor/milkyway/milkyway-protocol-1.0.0.tgz',
    };
    let packedInto: string | undefined;
    scaffold({
      targetDir: path.join(tmp, 'shop'),
      example: 'storefront',
      templatesDir,
      localPackages: (dir) => {
        packedInto = dir;
        return local;
      },
    });
    expect(packedInto).toBe(path.join(tmp, 'shop'));
    const root = readJson(path.join(tmp, 'shop', 'package.json'));
    expect(root.dependencies).toEqual({ '@milkyway/auth': local['@milkyway/auth'] });
    expect(root.overrides).toEqual(local);
    const catalog = readJson(path.join(tmp, 'shop', 'catalog', 'package.json'));
    expect(catalog.dependencies).toEqual({
      '@milkyway/core': 'file:../vendor/milkyway/milkyway-core-1.2.3.tgz',
    });
  });

  it('decides npm 11 install-script approvals up front so npm install prints no warning', () => {
    scaffold({ targetDir: path.join(tmp, 'svc'), example: 'hello', templatesDir });
    expect(readJson(path.join(tmp, 'svc', 'package.json')).allowScripts).toEqual({
      esbuild: false,
    });
  });

  it('keeps a tsconfig.json the example brings instead of writing the default', () => {
    write(path.join(templatesDir, 'hello', 'tsconfig.json'), '{"compilerOptions":{"outDir":"x"}}');
    scaffold({ targetDir: path.join(tmp, 'svc'), example: 'hello', templatesDir });
    expect(readJson(path.join(tmp, 'svc', 'tsconfig.json'))).toEqual({
      compilerOptions: { outDir: 'x' },
    });
  });

  it('refuses a folder that already has files in it', () => {
    write(path.join(tmp, 'busy', 'keep.txt'), 'mine');
    expect(() =>
      scaffold({ targetDir: path.join(tmp, 'busy'), example: 'hello', templatesDir }),
    ).toThrow(/not empty/);
    expect(fs.readFileSync(path.join(tmp, 'busy', 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('rejects an unknown example and lists the known ones', () => {
    expect(() =>
      scaffold({ targetDir: path.join(tmp, 'x'), example: 'nope', templatesDir }),
    ).toThrow(/hello, storefront/);
  });

  it('explains how to build the templates when they are missing', () => {
    expect(() =>
      scaffold({
        targetDir: path.join(tmp, 'x'),
        example: 'hello',
        templatesDir: path.join(tmp, 'none'),
      }),
    ).toThrow(/npm run build/);
  });
});

describe('toPackageName', () => {
  it('rejects a folder name with nothing usable in it', () => {
    expect(() => toPackageName('___')).toThrow(/package name/);
  });
});

describe('the command line', () => {
  it('defaults to the hello example', () => {
    expect(parseCliArgs(['my-service'], {})).toEqual({
      directory: 'my-service',
      example: 'hello',
      local: false,
      help: false,
    });
  });

  it('takes --local for a clone before the first publish', () => {
    expect(parseCliArgs(['my-service', '--local'], {}).local).toBe(true);
  });

  it('takes the example npm passed on as npm_config_example (npm create x --example y)', () => {
    expect(parseCliArgs(['shop'], { npm_config_example: 'storefront' }).example).toBe('storefront');
    const explicit = parseCliArgs(['shop', '-e', 'hello'], { npm_config_example: 'storefront' });
    expect(explicit.example).toBe('hello');
  });

  it('takes the example npm left among the positionals (npm create x dir --example y)', () => {
    expect(parseCliArgs(['shop', 'storefront'], { npm_config_example: 'true' })).toEqual({
      directory: 'shop',
      example: 'storefront',
      local: false,
      help: false,
    });
  });

  it('accepts --example storefront', () => {
    expect(parseCliArgs(['shop', '--example', 'storefront']).example).toBe('storefront');
  });

  it('rejects unknown options', () => {
    expect(() => parseCliArgs(['x', '--frobnicate'])).toThrow();
  });

  it('exits with 2 and prints usage when no folder is given', () => {
    let errText = '';
    const err = {
      write: (s: string) => {
        errText += s;
        return true;
      },
    };
    expect(main([], process.stdout, err)).toBe(2);
    expect(errText).toMatch(/Usage: npm create milkyway/);
  });
});
