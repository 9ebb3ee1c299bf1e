/**
 * The real thing, as a user gets it: pack the local @milkyway packages into tarballs, run the
 * built create-milkyway into a temporary folder outside the repository, install the tarballs
 * there (the rest comes from the npm registry) and run the new service's typecheck and tests.
 *
 * Needs the packages built (`npm test` builds before the unit tests; alone:
 * `npm run build --workspaces --if-present`) and network access to the npm registry.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(pkgDir, '..', '..');
const cli = path.join(pkgDir, 'dist', 'index.js');

/** npm settings that only say how to reach the registry: kept for the child npm. */
const NETWORK_SETTINGS = new Set(
  [
    'registry',
    'cache',
    'userconfig',
    'cafile',
    'proxy',
    'https_proxy',
    'noproxy',
    'strict_ssl',
  ].map((name) => `npm_config_${name}`),
);

/**
 * The environment of a user in a fresh terminal: none of the settings the monorepo's npm or
 * vitest passed down (prefix, workspace, lifecycle, package), only how to reach the registry.
 */
const npmEnv: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) =>
      !(key.startsWith('npm_') && !NETWORK_SETTINGS.has(key.toLowerCase())) &&
      !key.startsWith('VITEST') &&
      key !== 'INIT_CWD' &&
      key !== 'NODE_ENV',
  ),
);
npmEnv.npm_config_update_notifier = 'false';
npmEnv.npm_config_fund = 'false';
npmEnv.npm_config_audit = 'false';

function publishable() {
  return fs
    .readdirSync(path.join(repo, 'packages'))
    .map((dir) => path.join(repo, 'packages', dir))
    .filter((dir) => fs.existsSync(path.join(dir, 'package.json')))
    .map((dir) => ({
      dir,
      pkg: JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')),
    }))
    .filter(({ pkg }) => !pkg.private && String(pkg.name).startsWith('@milkyway/'));
}

let tmp: string;

/** A free TCP port on 127.0.0.1. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

beforeAll(() => {
  const missing = [cli, path.join(pkgDir, 'templates', 'manifest.json')]
    .concat(publishable().map(({ dir }) => path.join(dir, 'dist')))
    .filter((file) => !fs.existsSync(file));
  if (missing.length > 0) {
    throw new Error(
      `build the packages first (npm run build --workspaces --if-present); missing:\n  ${missing.join('\n  ')}`,
    );
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'create-milkyway-e2e-'));
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function exec(cmd: string, args: string[], cwd: string) {
  try {
    return await run(cmd, args, { cwd, env: npmEnv, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(
      `${cmd} ${args.join(' ')} failed in ${cwd}:\n${e.stdout ?? ''}\n${e.stderr ?? ''}`,
    );
  }
}

/** Packs every @milkyway package once; the tests install what their project needs. */
const tarballs = new Map<string, string>();

async function packAll() {
  if (tarballs.size > 0) return;
  const packs = path.join(tmp, 'packs');
  fs.mkdirSync(packs, { recursive: true });
  for (const { dir, pkg } of publishable()) {
    const { stdout } = await exec('npm', ['pack', '--json', '--pack-destination', packs], dir);
    tarballs.set(pkg.name, path.join(packs, JSON.parse(stdout)[0].filename));
  }
}

/** Scaffolds `example` into `name` with the built CLI and installs the local tarballs. */
async function scaffoldAndInstall(name: string, example: string) {
  await packAll();
  const { stdout } = await exec(process.execPath, [cli, name, '--example', example], tmp);
  expect(stdout).toContain('npm install');
  const project = path.join(tmp, name);
  const pkg = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
  expect(pkg.name).toBe(name);
  for (const [dep, range] of Object.entries<string>(pkg.dependencies)) {
    if (dep.startsWith('@milkyway/')) expect(range).toMatch(/^\^\d+\.\d+\.\d+/);
  }
  // The @milkyway packages the project uses (and core, which they build on) from tarballs;
  // everything else from the registry.
  const wanted = new Set(
    ['@milkyway/core', ...Object.keys(pkg.dependencies)].filter((n) => tarballs.has(n)),
  );
  await exec(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
      ...[...wanted].map((n) => tarballs.get(n)!),
    ],
    project,
  );
  return project;
}

describe('npm create milkyway', () => {
  it('scaffolds the hello example into a standalone project whose typecheck and tests pass on the packed packages', async () => {
    const project = await scaffoldAndInstall('my-service', 'hello');
    await exec('npm', ['run', 'typecheck'], project);
    const tests = await exec('npm', ['test'], project);
    expect(tests.stdout).toMatch(/passed/);
  }, 600_000);

  it('scaffolds the storefront whose typecheck passes and whose demo runs to the end', async () => {
    const project = await scaffoldAndInstall('my-shop', 'storefront');
    await exec('npm', ['run', 'typecheck'], project);
    const [gateway, identity, catalog, orders] = await Promise.all([0, 1, 2, 3].map(freePort));
    const ports = {
      GATEWAY_PORT: String(gateway),
      IDENTITY_PORT: String(identity),
      CATALOG_PORT: String(catalog),
      ORDERS_PORT: String(orders),
    };
    const demo = await run('npm', ['start', '--', '--exit', '--quiet'], {
      cwd: project,
      env: { ...npmEnv, ...ports, NO_COLOR: '1' },
      maxBuffer: 64 * 1024 * 1024,
      timeout: 180_000,
    }).catch((error: { stdout?: string; stderr?: string }) => {
      throw new Error(`the demo failed:\n${error.stdout ?? ''}\n${error.stderr ?? ''}`);
    });
    expect(demo.stdout).toContain('the same order, not a second one');
  }, 600_000);
});
