#!/usr/bin/env node
import fs from 'node:fs';
// Build step: copies the repository's examples into templates/ (shipped in the package) and
// writes templates/manifest.json with the @milkyway/* versions released together with this
// create-milkyway and the tool versions the repository is tested with.
//
// An example may import a repository helper outside its folder (e.g. the storefront tests
// import ../../../test-support/services.js); such files are copied into the template at the
// same repository-relative path and the import is rewritten, so the template is self-contained.
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(pkgDir, '..', '..');
const out = path.join(pkgDir, 'templates');
const EXAMPLES = ['hello', 'storefront'];
const DROPPED = new Set(['node_modules', 'dist', 'coverage', '.tmp', '.turbo', 'CHANGELOG.md']);
const TOOLS = ['tsx', 'vitest', 'typescript', '@types/node'];

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));

function copyTree(from, to) {
  const copied = [];
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (DROPPED.has(entry.name) || entry.name.endsWith('.log')) continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copied.push(...copyTree(source, target));
    else if (entry.isFile()) {
      fs.copyFileSync(source, target);
      copied.push({ source, target });
    }
  }
  return copied;
}

const SPECIFIER = /(from\s+|import\s*\(\s*|import\s+)(['"])(\.{1,2}\/[^'"]+)\2/g;

/** Copies files the example imports from outside its folder, rewriting the specifiers. */
function inlineExternalImports(exampleDir, templateDir, files) {
  const queue = files.filter((f) => /\.[cm]?tsx?$/.test(f.target));
  while (queue.length > 0) {
    const { source, target } = queue.shift();
    const text = fs.readFileSync(target, 'utf8');
    const rewritten = text.replace(SPECIFIER, (match, lead, quote, spec) => {
      const resolved = path.resolve(path.dirname(source), spec);
      if (!path.relative(exampleDir, resolved).startsWith('..')) return match;
      const fromRepo = path.relative(repo, resolved);
      if (fromRepo.startsWith('..')) throw new Error(`${source} imports ${spec} outside the repo`);
      const tsSource = resolved.replace(/\.js$/, '.ts');
      const realSource = fs.existsSync(tsSource) ? tsSource : resolved;
      const copyTarget = path.join(templateDir, path.relative(repo, realSource));
      if (!fs.existsSync(copyTarget)) {
        fs.mkdirSync(path.dirname(copyTarget), { recursive: true });
        fs.copyFileSync(realSource, copyTarget);
        queue.push({ source: realSource, target: copyTarget });
      }
      let next = path.relative(path.dirname(target), path.join(templateDir, fromRepo));
      if (!next.startsWith('.')) next = `./${next}`;
      return `${lead}${quote}${next.split(path.sep).join('/')}${quote}`;
    });
    if (rewritten !== text) fs.writeFileSync(target, rewritten);
  }
}

const BARE = /(?:from\s+|import\s*\(\s*|import\s+)['"]([^'".][^'"]*)['"]/g;

/** The package a bare specifier belongs to (`hono/client` -> `hono`, `@a/b/c` -> `@a/b`). */
const packageOf = (spec) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

function tsFiles(dir, found = []) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) tsFiles(full, found);
    else if (/\.[cm]?tsx?$/.test(entry.name)) found.push(full);
  }
  return found;
}

/**
 * In the monorepo an example can import a package only the root declares (a test helper, a
 * validator): it resolves from the root node_modules. A scaffolded project has no root, so
 * every package the template imports but does not declare becomes a devDependency, at the
 * root's range (or the installed version).
 */
function declareImports(templateDir) {
  const pkgFile = path.join(templateDir, 'package.json');
  const pkg = readJson(pkgFile);
  const declared = new Set([...TOOLS, ...builtinModules]);
  const manifests = [pkgFile];
  const walkPkgs = (dir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        const nested = path.join(dir, entry.name, 'package.json');
        if (fs.existsSync(nested)) manifests.push(nested);
        walkPkgs(path.join(dir, entry.name));
      }
    }
  };
  walkPkgs(templateDir);
  for (const file of manifests) {
    const m = readJson(file);
    for (const name of Object.keys({ ...m.dependencies, ...m.devDependencies })) declared.add(name);
  }
  const added = {};
  for (const file of tsFiles(templateDir)) {
    for (const [, spec] of fs.readFileSync(file, 'utf8').matchAll(BARE)) {
      if (spec.startsWith('node:')) continue;
      const name = packageOf(spec);
      if (declared.has(name) || name.startsWith('@milkyway/') || added[name]) continue;
      const rootRange = root.devDependencies?.[name] ?? root.dependencies?.[name];
      const installed = path.join(repo, 'node_modules', name, 'package.json');
      const range =
        rootRange ?? (fs.existsSync(installed) ? `^${readJson(installed).version}` : undefined);
      if (!range) throw new Error(`${file} imports ${spec}, which no package.json declares`);
      added[name] = range;
    }
  }
  if (Object.keys(added).length > 0) {
    pkg.devDependencies = { ...pkg.devDependencies, ...added };
    fs.writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
    console.log(
      `templates/${path.basename(templateDir)}: declared ${Object.keys(added).join(', ')}`,
    );
  }
}

const root = readJson(path.join(repo, 'package.json'));
fs.rmSync(out, { recursive: true, force: true });
fs.mkdirSync(out, { recursive: true });
const examples = [];
for (const name of EXAMPLES) {
  const exampleDir = path.join(repo, 'examples', name);
  if (!fs.existsSync(path.join(exampleDir, 'package.json'))) continue;
  const templateDir = path.join(out, name);
  const files = copyTree(exampleDir, templateDir);
  inlineExternalImports(exampleDir, templateDir, files);
  declareImports(templateDir);
  examples.push(name);
}

const packages = {};
for (const dir of fs.readdirSync(path.join(repo, 'packages'))) {
  const file = path.join(repo, 'packages', dir, 'package.json');
  if (!fs.existsSync(file)) continue;
  const pkg = readJson(file);
  if (!pkg.private && pkg.name.startsWith('@milkyway/')) packages[pkg.name] = pkg.version;
}
const devDependencies = Object.fromEntries(
  TOOLS.filter((t) => root.devDependencies?.[t]).map((t) => [t, root.devDependencies[t]]),
);
fs.writeFileSync(
  path.join(out, 'manifest.json'),
  `${JSON.stringify({ examples, packages, devDependencies }, null, 2)}\n`,
);
console.log(`templates: ${examples.join(', ')} -> ${path.relative(repo, out)}`);
