#!/usr/bin/env node
// Proves the release path without publishing anything:
//  1. on a scratch copy of the repository, add a changeset and run `changeset version`: every
//     changed package gets its new version and a CHANGELOG.md, internal ranges follow, and the
//     private packages (examples, bench) stay unversioned;
//  2. `npm publish --dry-run` for every publishable package of the real tree (built first).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const quiet = { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] };

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'milkyway-release-'));
try {
  // The tracked files as they are in the working tree, plus untracked ones git does not ignore.
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    { cwd: root, encoding: 'utf8' },
  )
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const from = path.join(root, file);
    const to = path.join(scratch, file);
    if (!fs.existsSync(from) && !fs.lstatSync(from, { throwIfNoEntry: false })) continue;
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.cpSync(from, to, { verbatimSymlinks: true });
  }
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(scratch, 'node_modules'), 'dir');
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: scratch });

  const before = readJson(path.join(scratch, 'packages/core/package.json')).version;
  fs.writeFileSync(
    path.join(scratch, '.changeset', 'release-path-check.md'),
    '---\n"@milkyway/core": minor\n---\n\nRelease-path check (scratch copy only).\n',
  );
  execFileSync(path.join(root, 'node_modules/.bin/changeset'), ['version'], {
    cwd: scratch,
    ...quiet,
  });
  const core = readJson(path.join(scratch, 'packages/core/package.json'));
  if (core.version === before) throw new Error('changeset version did not bump @milkyway/core');
  const changelog = fs.readFileSync(path.join(scratch, 'packages/core/CHANGELOG.md'), 'utf8');
  if (!changelog.includes('Release-path check')) throw new Error('CHANGELOG.md lacks the entry');
  const auth = readJson(path.join(scratch, 'packages/auth/package.json'));
  if (auth.dependencies['@milkyway/core'] !== `^${core.version}`) {
    throw new Error(`auth's range on core was not updated: ${auth.dependencies['@milkyway/core']}`);
  }
  for (const dir of fs.readdirSync(path.join(scratch, 'examples'))) {
    const pkgFile = path.join(scratch, 'examples', dir, 'package.json');
    if (!fs.existsSync(pkgFile)) continue;
    const original = readJson(path.join(root, 'examples', dir, 'package.json'));
    if (readJson(pkgFile).version !== original.version) {
      throw new Error(`private example ${dir} was versioned`);
    }
  }
  console.log(`changeset version: @milkyway/core ${before} -> ${core.version}, changelog written`);
} finally {
  fs.rmSync(scratch, { recursive: true, force: true });
}

for (const dir of fs.readdirSync(path.join(root, 'packages'))) {
  const pkgDir = path.join(root, 'packages', dir);
  const pkg = readJson(path.join(pkgDir, 'package.json'));
  if (pkg.private) continue;
  const out = execFileSync('npm', ['publish', '--dry-run', '--json'], { cwd: pkgDir, ...quiet });
  const report = JSON.parse(out.slice(out.indexOf('{')));
  const info = report[pkg.name] ?? report;
  console.log(`npm publish --dry-run: ${pkg.name}@${pkg.version} (${info.entryCount} files)`);
}
console.log('release path ok: nothing was published');
