// Helpers the release scripts share: the publishable packages of a tree, their entry points,
// and a scratch copy of the repository that a script may change freely.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

/** `{ dir, pkg }` of every package under `<root>/packages` that is not private. */
export function publishablePackages(root) {
  return fs
    .readdirSync(path.join(root, 'packages'))
    .map((name) => path.join(root, 'packages', name))
    .filter((dir) => fs.existsSync(path.join(dir, 'package.json')))
    .map((dir) => ({ dir, pkg: readJson(path.join(dir, 'package.json')) }))
    .filter(({ pkg }) => !pkg.private);
}

/** Import specifiers of every entry point (`@milkyway/core`, `@milkyway/core/testing`, ...). */
export function entryPoints(packages) {
  return entryPointsWithFormats(packages).map(({ name }) => name);
}

/**
 * Every entry point with whether it can be `require`d: an entry whose conditions have no
 * `require` (`@milkyway/events/testing`, which imports ESM-only vitest) is ESM only.
 */
export function entryPointsWithFormats(packages) {
  const entries = [];
  for (const { pkg } of packages) {
    for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
      if (subpath.endsWith('package.json')) continue;
      entries.push({
        name: subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`,
        subpath,
        cjs: typeof target === 'object' && target !== null && 'require' in target,
      });
    }
  }
  return entries;
}

/** The workspace folders of the root package.json (`packages/core`, `examples/hello`, ...). */
function workspaceDirs(root) {
  const dirs = [];
  for (const pattern of readJson(path.join(root, 'package.json')).workspaces ?? []) {
    if (!pattern.endsWith('/*')) {
      dirs.push(pattern);
      continue;
    }
    const parent = pattern.slice(0, -2);
    for (const name of fs.readdirSync(path.join(root, parent))) dirs.push(`${parent}/${name}`);
  }
  return dirs;
}

/**
 * A copy of the repository's tracked files as they are in the working tree, plus untracked
 * files git does not ignore, in a new temporary folder with its own git repository; its
 * node_modules is a link to the repository's. The caller removes it.
 */
export function scratchCopy(root, prefix = 'milkyway-scratch-') {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const files = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: root,
      encoding: 'utf8',
    },
  )
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const from = path.join(root, file);
    if (!fs.lstatSync(from, { throwIfNoEntry: false })) continue; // deleted in the working tree
    const to = path.join(scratch, file);
    fs.mkdirSync(path.dirname(to), { recursive: true });
    fs.cpSync(from, to, { verbatimSymlinks: true });
  }
  // Dependencies npm could not hoist live in a workspace's own node_modules: link those too.
  for (const dir of ['.', ...workspaceDirs(root)]) {
    const modules = path.join(root, dir, 'node_modules');
    if (fs.existsSync(modules) && fs.existsSync(path.join(scratch, dir))) {
      fs.symlinkSync(modules, path.join(scratch, dir, 'node_modules'), 'dir');
    }
  }
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: scratch });
  return scratch;
}

/**
 * The script that imports every entry point through ESM `import` and, where the entry has a
 * `require` condition, CJS `require` (same exports both ways); an ESM-only entry must refuse
 * `require` rather than load something half-working.
 */
export function importCheckScript(entries) {
  return `import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const entries = ${JSON.stringify(entries)};
for (const { name, cjs } of entries) {
  const esm = await import(name);
  const esmKeys = Object.keys(esm).filter((k) => k !== 'default').sort();
  if (esmKeys.length === 0) throw new Error(name + ': the ESM entry exports nothing');
  if (cjs) {
    const cjsKeys = Object.keys(require(name)).sort();
    if (esmKeys.join() !== cjsKeys.join()) throw new Error(name + ': ESM and CJS exports differ');
  } else {
    let refused = false;
    try {
      require.resolve(name);
    } catch {
      refused = true;
    }
    if (!refused) throw new Error(name + ': an ESM-only entry resolves for require()');
  }
  console.log('  ok', name, '(' + esmKeys.length + ' exports, ' + (cjs ? 'ESM + CJS' : 'ESM only') + ') on Node', process.versions.node);
}
`;
}
