#!/usr/bin/env node
// Keeps the docs honest: every ```ts block in docs/**/*.md and the READMEs, and every ```ts
// block in a JSDoc `@example` of package source, is written out as its own module and
// type-checked (strict, resolving @milkyway/* to the sources). Blocks in another fence language
// (sh, json, text) are not compiled. Blocks of one page titled with a file name
// (```ts title="service.ts") are written under those names in a folder of their own, so they
// can import each other (`import { createApp } from './service.js'`).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, '.tmp', 'doc-samples');

function walk(dir, accept, found = []) {
  if (!fs.existsSync(dir)) return found;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name === 'api') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(full, accept, found);
    else if (accept(entry.name)) found.push(full);
  }
  return found;
}

const FENCE = /```(?:ts|typescript)(?:[ \t]+([^`\n][^\n]*))?\n([\s\S]*?)```/g;
const TITLE = /(?:^|\s)title="([\w.-]+\.ts)"/;

/** Code blocks of a markdown file. */
function markdownSamples(file) {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(FENCE)].map((m) => ({
    code: m[2],
    title: TITLE.exec(m[1] ?? '')?.[1],
    line: text.slice(0, m.index).split('\n').length,
  }));
}

/** ```ts blocks inside JSDoc comments (their lines start with ` * `). */
function jsdocSamples(file) {
  const text = fs.readFileSync(file, 'utf8');
  const samples = [];
  for (const comment of text.matchAll(/\/\*\*[\s\S]*?\*\//g)) {
    const body = comment[0]
      .split('\n')
      .map((l) => l.replace(/^\s*\/?\*+\/?\s?/, ''))
      .join('\n');
    for (const m of body.matchAll(FENCE)) {
      samples.push({ code: m[2], line: text.slice(0, comment.index).split('\n').length });
    }
  }
  return samples;
}

const sources = [
  ...walk(path.join(root, 'docs'), (n) => n.endsWith('.md')).map((f) => [f, markdownSamples]),
  ...walk(path.join(root, 'packages'), (n) => n === 'README.md').map((f) => [f, markdownSamples]),
  ...walk(path.join(root, 'packages'), (n) => n.endsWith('.ts') && !n.endsWith('.d.ts'))
    .filter((f) => f.includes(`${path.sep}src${path.sep}`))
    .map((f) => [f, jsdocSamples]),
];

fs.rmSync(outDir, { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });
const origins = new Map();
let count = 0;
for (const [file, extract] of sources) {
  for (const sample of extract(file)) {
    const rel = path.relative(root, file);
    const index = String(++count).padStart(4, '0');
    const name = sample.title
      ? path.join(rel.replace(/[^\w]+/g, '-'), sample.title)
      : `sample-${index}.ts`;
    fs.mkdirSync(path.dirname(path.join(outDir, name)), { recursive: true });
    origins.set(name, `${rel}:${sample.line}`);
    // `export {}` makes every sample a module, so top-level await and local names are scoped.
    fs.writeFileSync(
      path.join(outDir, name),
      `// from ${rel}:${sample.line}\n${sample.code}\nexport {};\n`,
    );
  }
}

const rootTsconfig = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8'));
const paths = Object.fromEntries(
  Object.entries(rootTsconfig.compilerOptions.paths).map(([k, v]) => [
    k,
    v.map((p) => path.join(root, p)),
  ]),
);
fs.writeFileSync(
  path.join(outDir, 'tsconfig.json'),
  JSON.stringify({
    extends: path.join(root, 'tsconfig.base.json'),
    compilerOptions: {
      noEmit: true,
      paths,
      noUnusedLocals: false,
      typeRoots: [path.join(root, 'node_modules/@types')],
    },
    include: ['**/*.ts'],
  }),
);
if (count === 0) {
  console.log('no code samples found');
  process.exit(0);
}
try {
  execFileSync(path.join(root, 'node_modules/.bin/tsc'), ['-p', outDir], {
    encoding: 'utf8',
    cwd: root,
  });
  console.log(`${count} code samples from docs, READMEs and JSDoc type-check`);
} catch (error) {
  const output = String(error.stdout ?? error.message).replace(
    /\.tmp\/doc-samples\/([\w./-]+\.ts)\((\d+),(\d+)\)/g,
    (_, name, line) => `${origins.get(name)} (+${Number(line) - 1})`,
  );
  console.error(output);
  console.error('code samples that do not compile: fix the sample or the API it describes');
  process.exit(1);
}
