#!/usr/bin/env node
// The checks a real publisher runs, on the packed tarballs:
//  1. `npm pack` every publishable package;
//  2. publint and are-the-types-wrong on each tarball;
//  3. install the tarballs into a temporary folder outside the workspace and import every
//     entry point through ESM `import` and CJS `require`, under Node 20 and Node 24.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packsDir = path.join(root, '.tmp', 'packs');
const nodeMajors = (process.env.MILKYWAY_NODE_MAJORS ?? '20,24').split(',');

const run = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });

const packages = fs
  .readdirSync(path.join(root, 'packages'))
  .map((dir) => path.join(root, 'packages', dir))
  .map((dir) => ({ dir, pkg: JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => !pkg.private);

fs.rmSync(packsDir, { recursive: true, force: true });
fs.mkdirSync(packsDir, { recursive: true });

const tarballs = [];
for (const { dir, pkg } of packages) {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', packsDir], {
    cwd: dir,
    encoding: 'utf8',
  });
  const [{ filename }] = JSON.parse(out);
  const tarball = path.join(packsDir, filename);
  tarballs.push({ pkg, tarball });
  console.log(`\n== ${pkg.name}: ${filename}`);
  run('npx', ['publint', 'run', '--strict', tarball]);
  // node10 resolution (TypeScript's legacy `moduleResolution: node`) cannot see subpath
  // exports; we require Node >= 20, so the node16/bundler profile is the one that applies.
  if (pkg.exports)
    run('npx', ['attw', tarball, '--profile', 'node16', '--format', 'table-flipped']);
}

// Install into a folder outside the workspace, as a user would.
const consumer = fs.mkdtempSync(path.join(os.tmpdir(), 'milkyway-consumer-'));
fs.writeFileSync(
  path.join(consumer, 'package.json'),
  JSON.stringify({ name: 'consumer', private: true, version: '0.0.0' }),
);
const peers = ['hono@^4.9.0', 'zod@^4.1.0'];
run(
  'npm',
  [
    'install',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    ...tarballs.map((t) => t.tarball),
    ...peers,
  ],
  { cwd: consumer },
);

const entryPoints = [];
for (const { pkg } of tarballs) {
  if (!pkg.exports) continue;
  for (const subpath of Object.keys(pkg.exports)) {
    if (subpath.endsWith('package.json')) continue;
    entryPoints.push(subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`);
  }
}
const checker = path.join(consumer, 'check-imports.mjs');
fs.writeFileSync(
  checker,
  `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const entries = ${JSON.stringify(entryPoints)};
for (const name of entries) {
  const esm = await import(name);
  const cjs = require(name);
  const esmKeys = Object.keys(esm).filter((k) => k !== 'default').sort();
  const cjsKeys = Object.keys(cjs).sort();
  if (esmKeys.length === 0) throw new Error(name + ': the ESM entry exports nothing');
  if (esmKeys.join() !== cjsKeys.join()) throw new Error(name + ': ESM and CJS exports differ');
  console.log('  ok', name, '(' + esmKeys.length + ' exports, ESM + CJS) on Node', process.versions.node);
}
`,
);
for (const major of nodeMajors) {
  run('node', [path.join(root, 'scripts', 'run-node.mjs'), major, checker], { cwd: consumer });
}
fs.rmSync(consumer, { recursive: true, force: true });
console.log(
  `\npackage checks passed for ${tarballs.length} packages on Node ${nodeMajors.join(', ')}`,
);
