/**
 * The path before the first publish, as a user takes it from a clone: the built
 * create-milkyway with `--local` packs the clone's @milkyway packages into the new project
 * (outside the repository) and depends on the tarballs; the rest comes from the npm registry.
 * The registry path (both templates) is the release rehearsal's: scripts/rehearse-release.mjs.
 *
 * Needs the packages built (`npm test` builds before the unit tests; alone:
 * `npm run build --workspaces --if-present`) and network access to the npm registry.
 */
import { execFile, spawn } from 'node:child_process';
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

/** Polls the service until it answers. */
async function waitForReady(url: string, alive: () => boolean): Promise<Response> {
  // Bounded: 240 attempts 250 ms apart, and never past the process' exit.
  for (let attempt = 0; attempt < 240; attempt++) {
    if (!alive()) throw new Error(`the service exited before ${url} answered`);
    try {
      return await fetch(url);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`${url} did not answer within 60 s`);
}

describe('npm create milkyway --local (before the first publish)', () => {
  it("scaffolds hello on the clone's packed packages: typecheck, tests, build and node dist/main.js pass", async () => {
    const { stdout } = await exec(process.execPath, [cli, 'my-service', '--local'], tmp);
    expect(stdout).toContain('npm install');
    const project = path.join(tmp, 'my-service');
    const pkg = JSON.parse(fs.readFileSync(path.join(project, 'package.json'), 'utf8'));
    expect(pkg.dependencies['@milkyway/core']).toMatch(
      /^file:vendor\/milkyway\/milkyway-core-.*\.tgz$/,
    );
    // Every packed package is an override, so the packages' own @milkyway deps resolve locally.
    for (const { pkg: local } of publishable()) {
      expect(pkg.overrides[local.name]).toMatch(/^file:vendor\/milkyway\//);
    }
    await exec('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], project);
    await exec('npm', ['run', 'typecheck'], project);
    const tests = await exec('npm', ['test'], project);
    expect(tests.stdout).toMatch(/passed/);
    await exec('npm', ['run', 'build'], project);
    expect(fs.existsSync(path.join(project, 'dist', 'main.js.map'))).toBe(true);

    const port = await freePort();
    const child = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js'], {
      cwd: project,
      env: { ...npmEnv, PORT: String(port), HOST: '127.0.0.1' },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const ready = await waitForReady(
        `http://127.0.0.1:${port}/readyz`,
        () => child.exitCode === null,
      );
      expect(ready.status).toBe(200);
      const hello = await fetch(`http://127.0.0.1:${port}/hello/local`);
      expect(hello.status).toBe(200);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  }, 600_000);
});
