#!/usr/bin/env node
// The release, rehearsed on a real registry (CI runs it; locally: `npm run rehearse:release`
// after `npm run build`). Nothing leaves the machine: a throwaway Verdaccio on a free loopback
// port holds what is published, and proxies every other package to the npm registry.
//
//  1. a scratch copy of the repository: `changeset version` (the pending changesets), the
//     versioning checked (bumps, changelogs, internal ranges, private packages untouched);
//  2. build, then the package checks (publint + attw) on the scratch copy;
//  3. `changeset publish` to the local registry;
//  4. in an empty folder outside the repository, with only that registry configured:
//     `npm create milkyway@latest` for each template, `npm install`, `npm test`; the hello
//     service built (`npm run build`) and started from `dist/` (`npm start`), `/readyz` and a
//     route probed, SIGTERM answered with a clean exit;
//  4b. docs/getting-started.md followed word for word in fresh folders (starting points A, an
//     empty folder, and B, a scaffolded service): its shell blocks run, its titled code blocks
//     written as files, its service started, its curl commands answered as the page shows,
//     Ctrl-C, its test run (scripts/lib/getting-started.mjs);
//  5. a plain TypeScript project installs every published package, type-checks an import of
//     every entry point, and imports each through ESM and CJS on Node 20 and Node 24.
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { followGettingStarted } from './lib/getting-started.mjs';
import {
  entryPoints,
  entryPointsWithFormats,
  importCheckScript,
  publishablePackages,
  readJson,
  scratchCopy,
} from './lib/workspace.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const nodeMajors = (process.env.MILKYWAY_NODE_MAJORS ?? '20,24').split(',');
const MINUTE = 60_000;
const started = Date.now();

const log = (message) =>
  console.log(`\n-- ${message} (${Math.round((Date.now() - started) / 1000)}s)`);

/** The environment of a user in a fresh terminal, with only the rehearsal registry. */
function userEnv(npmrc, registryUrl) {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) =>
        !key.toLowerCase().startsWith('npm_') &&
        !key.startsWith('VITEST') &&
        key !== 'INIT_CWD' &&
        key !== 'NODE_ENV' &&
        key !== 'MILKYWAY_REQUIRE_VECTORS',
    ),
  );
  return {
    ...env,
    npm_config_userconfig: npmrc,
    // changeset publish reads the registry from the environment, not from the npmrc.
    npm_config_registry: registryUrl,
    npm_config_update_notifier: 'false',
    npm_config_fund: 'false',
    npm_config_audit: 'false',
    npm_config_loglevel: 'error',
  };
}

function run(cmd, args, { cwd, env, timeout = 10 * MINUTE, quiet = false }) {
  try {
    return execFileSync(cmd, args, {
      cwd,
      env,
      timeout,
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: quiet ? ['ignore', 'pipe', 'pipe'] : ['ignore', 'inherit', 'inherit'],
    });
  } catch (error) {
    const detail = quiet ? `\n${error.stdout ?? ''}\n${error.stderr ?? ''}` : '';
    throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${error.message}${detail}`);
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Polls `url` until it answers (any status) or `timeoutMs` passes. */
async function waitForHttp(url, timeoutMs, isAlive = () => true) {
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    if (!isAlive()) throw new Error(`the process serving ${url} exited before it answered`);
    try {
      return await fetch(url, { signal: AbortSignal.timeout(2_000) });
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms: ${lastError?.message}`);
}

function expect(condition, message) {
  if (!condition) throw new Error(`rehearsal: ${message}`);
}

// ---------------------------------------------------------------------------------------------

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'milkyway-rehearsal-'));
const scratch = scratchCopy(root, 'milkyway-release-');
let registry;

try {
  // 1. Versions.
  log('changeset version on a scratch copy');
  const before = Object.fromEntries(
    publishablePackages(scratch).map(({ pkg }) => [pkg.name, pkg.version]),
  );
  run(path.join(root, 'node_modules/.bin/changeset'), ['version'], { cwd: scratch, quiet: true });
  const after = publishablePackages(scratch);
  const bumped = after.filter(({ pkg }) => pkg.version !== before[pkg.name]);
  expect(bumped.length > 0, 'changeset version bumped nothing: are there pending changesets?');
  for (const { dir, pkg } of bumped) {
    const changelog = path.join(dir, 'CHANGELOG.md');
    expect(fs.existsSync(changelog), `${pkg.name} was bumped but has no CHANGELOG.md`);
    console.log(`  ${pkg.name} ${before[pkg.name]} -> ${pkg.version}`);
  }
  const versions = Object.fromEntries(after.map(({ pkg }) => [pkg.name, pkg.version]));
  for (const { pkg } of after) {
    for (const [dep, range] of Object.entries(pkg.dependencies ?? {})) {
      if (versions[dep] === undefined) continue;
      expect(
        range === `^${versions[dep]}`,
        `${pkg.name}'s range on ${dep} is ${range}, not ^${versions[dep]}`,
      );
    }
  }
  for (const dir of fs.readdirSync(path.join(scratch, 'examples'))) {
    const file = path.join('examples', dir, 'package.json');
    if (!fs.existsSync(path.join(root, file))) continue;
    expect(
      readJson(path.join(scratch, file)).version === readJson(path.join(root, file)).version,
      `the private example ${dir} was versioned`,
    );
  }

  // 2. Build and check what will be published.
  log('build and package checks on the scratch copy');
  for (const { dir } of after) run('npm', ['run', 'build'], { cwd: dir, quiet: true });
  run(process.execPath, [path.join(scratch, 'scripts/check-packages.mjs')], { cwd: scratch });
  const manifest = readJson(path.join(scratch, 'packages/create-milkyway/templates/manifest.json'));
  expect(
    manifest.packages['@milkyway/core'] === versions['@milkyway/core'],
    'create-milkyway bundles templates for other versions than the ones being published',
  );

  // 3. Publish to a throwaway registry.
  log('start Verdaccio and publish');
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const storage = path.join(work, 'storage');
  const config = path.join(work, 'verdaccio.yaml');
  fs.writeFileSync(
    config,
    [
      `storage: ${storage}`,
      'uplinks:',
      '  npmjs:',
      `    url: ${process.env.MILKYWAY_UPSTREAM_REGISTRY ?? 'https://registry.npmjs.org/'}`,
      '    timeout: 60s',
      'packages:',
      // Our names are never looked up upstream: only what this rehearsal publishes exists.
      "  '@milkyway/*':",
      '    access: $all',
      '    publish: $all',
      "  'create-milkyway':",
      '    access: $all',
      '    publish: $all',
      "  '**':",
      '    access: $all',
      '    proxy: npmjs',
      'max_body_size: 200mb',
      'log: { type: stdout, format: pretty, level: error }',
      '',
    ].join('\n'),
  );
  registry = spawn(
    process.execPath,
    [
      path.join(root, 'node_modules/verdaccio/bin/verdaccio'),
      '--config',
      config,
      '--listen',
      `127.0.0.1:${port}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } },
  );
  let registryOutput = '';
  registry.stdout.on('data', (chunk) => (registryOutput += chunk));
  registry.stderr.on('data', (chunk) => (registryOutput += chunk));
  const registryAlive = () => registry.exitCode === null;
  await waitForHttp(`${url}-/ping`, MINUTE, registryAlive).catch((error) => {
    throw new Error(`${error.message}\n${registryOutput}`);
  });
  const npmrc = path.join(work, 'npmrc');
  fs.writeFileSync(npmrc, `registry=${url}\n//127.0.0.1:${port}/:_authToken=rehearsal\n`);
  const env = userEnv(npmrc, url);
  run(path.join(root, 'node_modules/.bin/changeset'), ['publish', '--no-git-tag'], {
    cwd: scratch,
    env: { ...env, PATH: process.env.PATH },
  });
  for (const { pkg } of after) {
    const published = run('npm', ['view', `${pkg.name}@${pkg.version}`, 'version'], {
      cwd: work,
      env,
      quiet: true,
    }).trim();
    expect(published === pkg.version, `${pkg.name}@${pkg.version} is not on the registry`);
  }
  console.log(`  published ${after.length} packages to ${url}`);

  // 4. A newcomer's path, outside the repository.
  const home = path.join(work, 'home');
  fs.mkdirSync(home);
  log('npm create milkyway@latest my-service (hello)');
  run('npm', ['create', 'milkyway@latest', 'my-service', '--yes'], { cwd: home, env });
  const service = path.join(home, 'my-service');
  run('npm', ['install'], { cwd: service, env });
  run('npm', ['test'], { cwd: service, env });
  run('npm', ['run', 'build'], { cwd: service, env });
  expect(fs.existsSync(path.join(service, 'dist/main.js')), 'npm run build wrote no dist/main.js');
  expect(fs.existsSync(path.join(service, 'dist/main.js.map')), 'the build has no source maps');
  const servicePort = await freePort();
  const child = spawn(process.execPath, ['--enable-source-maps', 'dist/main.js'], {
    cwd: service,
    env: { ...env, PORT: String(servicePort), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let serviceOutput = '';
  child.stdout.on('data', (chunk) => (serviceOutput += chunk));
  child.stderr.on('data', (chunk) => (serviceOutput += chunk));
  try {
    const base = `http://127.0.0.1:${servicePort}`;
    const ready = await waitForHttp(`${base}/readyz`, MINUTE, () => child.exitCode === null);
    expect(ready.status === 200, `/readyz answered ${ready.status}`);
    const hello = await fetch(`${base}/hello/rehearsal`);
    expect(hello.status === 200, `GET /hello/rehearsal answered ${hello.status}`);
    console.log(
      `  node dist/main.js: /readyz 200, /hello/rehearsal ${JSON.stringify(await hello.json())}`,
    );
  } catch (error) {
    throw new Error(`${error.message}\n${serviceOutput}`);
  }
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const code = await Promise.race([
    exited,
    new Promise((r) => setTimeout(() => r('timeout'), 30_000)),
  ]);
  expect(code === 0, `the service did not exit cleanly on SIGTERM (${code}):\n${serviceOutput}`);

  for (const choice of ['A', 'B']) {
    log(`docs/getting-started.md, word for word (starting point ${choice})`);
    const folder = path.join(work, `getting-started-${choice}`);
    fs.mkdirSync(folder);
    const { project } = await followGettingStarted({
      page: path.join(root, 'docs/getting-started.md'),
      dir: folder,
      env,
      choice,
      port: await freePort(),
    });
    // "For your editor (and `npx tsc`)": the page's tsconfig.json checks the page's files.
    if (choice === 'A') run('npx', ['tsc'], { cwd: project, env });
  }

  log('npm create milkyway@latest my-shop --example storefront');
  run('npm', ['create', 'milkyway@latest', 'my-shop', '--yes', '--', '--example', 'storefront'], {
    cwd: home,
    env,
  });
  const shop = path.join(home, 'my-shop');
  run('npm', ['install'], { cwd: shop, env });
  run('npm', ['run', 'typecheck'], { cwd: shop, env });
  run('npm', ['test'], {
    cwd: shop,
    env: { ...env, MILKYWAY_REQUIRE_SERVICES: process.env.MILKYWAY_REQUIRE_SERVICES ?? '' },
    timeout: 20 * MINUTE,
  });

  // 5. A plain TypeScript project importing every entry point.
  log('a plain TypeScript project imports every entry point (ESM, CJS, types)');
  const consumer = path.join(home, 'consumer');
  fs.mkdirSync(consumer);
  fs.writeFileSync(
    path.join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, version: '0.0.0', type: 'module' }),
  );
  const libraries = after.filter(({ pkg }) => pkg.exports);
  run(
    'npm',
    [
      'install',
      ...libraries.map(({ pkg }) => `${pkg.name}@${pkg.version}`),
      'hono@^4.9.0',
      'zod@^4.1.0',
      'typescript@~5.9.3',
      '@types/node@^20',
      'pg@^8',
      '@types/pg@^8',
      '@electric-sql/pglite@0.5.14',
      // @milkyway/events/testing runs its suite with vitest, as its users do.
      'vitest@^4',
    ],
    { cwd: consumer, env },
  );
  const entries = entryPoints(libraries);
  fs.writeFileSync(
    path.join(consumer, 'index.ts'),
    `${entries.map((name, i) => `import * as entry${i} from '${name}';`).join('\n')}\nexport const all = [${entries.map((_, i) => `entry${i}`).join(', ')}];\n`,
  );
  fs.writeFileSync(
    path.join(consumer, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        // Like any real project: third-party declarations (PGlite's reference Emscripten
        // globals it does not ship) are not ours to check; our own are checked through them.
        skipLibCheck: true,
        types: ['node'],
        lib: ['ES2023', 'DOM'],
      },
      include: ['index.ts'],
    }),
  );
  run('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: consumer, env });
  fs.writeFileSync(
    path.join(consumer, 'check-imports.mjs'),
    importCheckScript(entryPointsWithFormats(libraries)),
  );
  for (const major of nodeMajors) {
    run(process.execPath, [path.join(root, 'scripts/run-node.mjs'), major, 'check-imports.mjs'], {
      cwd: consumer,
      env: { ...env, PATH: process.env.PATH },
    });
  }
  log(
    `release rehearsal passed: ${after.length} packages published, both templates installed and tested`,
  );
} finally {
  registry?.kill('SIGTERM');
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
}
