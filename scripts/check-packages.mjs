#!/usr/bin/env node
// The checks a real publisher runs, on the packed tarballs (part of `npm test`):
//  1. `npm pack` every publishable package (its `prepack` builds it when dist/ is stale);
//  2. publint and are-the-types-wrong on each tarball.
// Installing the packages as a user would — from a registry, into a folder outside the
// repository, importing every entry point through ESM and CJS on Node 20 and 24 — is the
// release rehearsal's job (`npm run rehearse:release`, scripts/rehearse-release.mjs).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { entryPointsWithFormats, publishablePackages } from './lib/workspace.mjs';

const excludeFlag = (subpaths) =>
  subpaths.length > 0 ? ['--exclude-entrypoints', ...subpaths] : [];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const packsDir = path.join(root, '.tmp', 'packs');

const run = (cmd, args, opts = {}) =>
  execFileSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });

fs.rmSync(packsDir, { recursive: true, force: true });
fs.mkdirSync(packsDir, { recursive: true });

const packages = publishablePackages(root);
for (const { dir, pkg } of packages) {
  const out = execFileSync('npm', ['pack', '--json', '--pack-destination', packsDir], {
    cwd: dir,
    encoding: 'utf8',
  });
  const [{ filename, entryCount }] = JSON.parse(out.slice(out.indexOf('[')));
  const tarball = path.join(packsDir, filename);
  console.log(`\n== ${pkg.name}: ${filename} (${entryCount} files)`);
  run('npx', ['publint', 'run', '--strict', tarball]);
  // node10 resolution (TypeScript's legacy `moduleResolution: node`) cannot see subpath
  // exports; we require Node >= 20, so the node16/bundler profile is the one that applies.
  if (!pkg.exports) continue;
  // An ESM-only entry (no `require` condition) is checked with the esm-only profile; the rest
  // must resolve for both import and require.
  const entries = entryPointsWithFormats([{ pkg }]);
  const esmOnly = entries.filter(({ cjs }) => !cjs).map(({ subpath }) => subpath);
  const attw = ['attw', tarball, '--format', 'table-flipped'];
  run('npx', [...attw, '--profile', 'node16', ...excludeFlag(esmOnly)]);
  if (esmOnly.length > 0)
    run('npx', [...attw, '--profile', 'esm-only', '--entrypoints', ...esmOnly]);
}
console.log(`\npackage checks passed for ${packages.length} packages (publint + attw)`);
