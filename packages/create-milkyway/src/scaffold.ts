import fs from 'node:fs';
import path from 'node:path';
import { readManifest, type TemplateManifest } from './manifest.js';

/** What to scaffold, and where. */
export interface ScaffoldOptions {
  /** The folder to create; must not exist or be empty. */
  targetDir: string;
  /** The example to copy (a folder under `templatesDir`). */
  example: string;
  /** Where the bundled examples and manifest.json are. */
  templatesDir: string;
  /** The manifest; read from `templatesDir` when omitted. */
  manifest?: TemplateManifest;
  /**
   * Before the first publish (`--local`): packs the local `@milkyway/*` packages into the new
   * project (called once its folder exists) and returns their `file:` specifiers, which are
   * used instead of the released versions, and as `overrides` so that the packages' own
   * dependencies on each other resolve to the local tarballs too.
   */
  localPackages?: (targetDir: string) => Record<string, string>;
}

/** What was created. */
export interface ScaffoldResult {
  /** Absolute path of the new project. */
  targetDir: string;
  /** The package name written into its package.json. */
  name: string;
  /** The example it was copied from. */
  example: string;
  /** Files written, relative to `targetDir`, sorted. */
  files: string[];
}

/** Files and folders that belong to the monorepo's working copy, never to a new project. */
const DROPPED = new Set([
  'node_modules',
  'dist',
  'coverage',
  '.tmp',
  '.turbo',
  'CHANGELOG.md',
  '.DS_Store',
]);
const DROPPED_SUFFIXES = ['.log', '.tsbuildinfo', '.tgz'];

const NAME = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/** Turns a folder name into a valid npm package name (`My Service` -> `my-service`). */
export function toPackageName(directory: string): string {
  const base = path.basename(path.resolve(directory));
  const name = base
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9-._~]+/g, '-')
    .replace(/^[-._]+/, '')
    .replace(/-+$/, '');
  if (!name || !NAME.test(name) || name.length > 214) {
    throw new Error(`cannot derive a package name from "${base}"; choose another folder name`);
  }
  return name;
}

/** The tsconfig a standalone project gets (the repository's settings, without its paths). */
export const STANDALONE_TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    lib: ['ES2023', 'DOM', 'DOM.Iterable'],
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    noImplicitOverride: true,
    esModuleInterop: true,
    skipLibCheck: true,
    forceConsistentCasingInFileNames: true,
    isolatedModules: true,
    verbatimModuleSyntax: true,
    resolveJsonModule: true,
    noEmit: true,
    types: ['node'],
  },
  include: ['**/*.ts'],
  exclude: ['node_modules', 'dist'],
};

const GITIGNORE = 'node_modules/\ndist/\ncoverage/\n.tmp/\n*.log\n*.tgz\n.env\n';

type PackageJson = Record<string, unknown> & {
  name?: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
};

function copyTree(from: string, to: string, written: string[], root: string) {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    if (DROPPED.has(entry.name) || DROPPED_SUFFIXES.some((s) => entry.name.endsWith(s))) continue;
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) copyTree(source, target, written, root);
    else if (entry.isFile()) {
      fs.copyFileSync(source, target);
      written.push(path.relative(root, target));
    }
  }
}

/**
 * Points @milkyway/* dependencies at the released versions (or at the local tarballs, with
 * `--local`); leaves the others alone.
 */
function pinMilkyway(
  deps: Record<string, string> | undefined,
  manifest: TemplateManifest,
  local: Record<string, string> | undefined,
) {
  if (!deps) return deps;
  const out: Record<string, string> = {};
  for (const [name, range] of Object.entries(deps)) {
    const released = manifest.packages[name];
    out[name] = local?.[name] ?? (released ? `^${released}` : range);
  }
  return out;
}

function rewritePackageJson(
  file: string,
  manifest: TemplateManifest,
  name: string,
  isRoot: boolean,
  hasTests: boolean,
  local: Record<string, string> | undefined,
) {
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as PackageJson;
  // Service folders sit one level below the project: their file: paths go up one.
  const localHere =
    local && !isRoot
      ? Object.fromEntries(
          Object.entries(local).map(([n, spec]) => [n, spec.replace('file:', 'file:../')]),
        )
      : local;
  pkg.dependencies = pinMilkyway(pkg.dependencies, manifest, localHere);
  pkg.devDependencies = pinMilkyway(pkg.devDependencies, manifest, localHere);
  if (!isRoot) {
    // A service folder inside a multi-service example: keep it runnable alone (`npm start`).
    const service = path.basename(path.dirname(file));
    pkg.name = `${name}-${service}`;
    fs.writeFileSync(file, `${JSON.stringify(pkg, null, 2)}\n`);
    return;
  }
  const scripts = { ...pkg.scripts };
  if (hasTests && !scripts.test) scripts.test = 'vitest run';
  if (!scripts.typecheck) scripts.typecheck = 'tsc --noEmit';
  const out: PackageJson = {
    name,
    version: '0.1.0',
    private: true,
    description: pkg.description,
    type: 'module',
    engines: { node: '>=20' },
    scripts,
    dependencies: pkg.dependencies,
    devDependencies: { ...manifest.devDependencies, ...pkg.devDependencies },
    ...(local ? { overrides: local } : {}),
    // esbuild's postinstall (through tsx) only re-checks the platform binary it already has;
    // npm 11 blocks dependency install scripts and warns until they are decided either way.
    allowScripts: { esbuild: false },
  };
  fs.writeFileSync(file, `${JSON.stringify(out, null, 2)}\n`);
}

/**
 * Copies an example into a new folder as a standalone project: its package.json depends on
 * the released @milkyway/* versions, workspace-only files are dropped, and it gets its own
 * tsconfig.json and .gitignore.
 *
 * @example
 * scaffold({ targetDir: 'my-service', example: 'hello', templatesDir: defaultTemplatesDir() });
 */
export function scaffold(options: ScaffoldOptions): ScaffoldResult {
  const manifest = options.manifest ?? readManifest(options.templatesDir);
  const source = path.join(options.templatesDir, options.example);
  if (!manifest.examples.includes(options.example) || !fs.existsSync(source)) {
    throw new Error(
      `unknown example "${options.example}"; choose one of: ${manifest.examples.join(', ')}`,
    );
  }
  const targetDir = path.resolve(options.targetDir);
  if (fs.existsSync(targetDir) && fs.readdirSync(targetDir).length > 0) {
    throw new Error(`${targetDir} already exists and is not empty; choose a new folder`);
  }
  const name = toPackageName(targetDir);
  const files: string[] = [];
  copyTree(source, targetDir, files, targetDir);
  const local = options.localPackages?.(targetDir);

  const hasTests = fs.existsSync(path.join(targetDir, 'test'));
  for (const file of files.filter((f) => path.basename(f) === 'package.json')) {
    rewritePackageJson(
      path.join(targetDir, file),
      manifest,
      name,
      file === 'package.json',
      hasTests,
      local,
    );
  }
  const extra: Array<[string, string]> = [
    ['tsconfig.json', `${JSON.stringify(STANDALONE_TSCONFIG, null, 2)}\n`],
    ['.gitignore', GITIGNORE],
  ];
  for (const [file, text] of extra) {
    if (files.includes(file)) continue;
    fs.writeFileSync(path.join(targetDir, file), text);
    files.push(file);
  }
  return { targetDir, name, example: options.example, files: files.sort() };
}

/** What `npm start` does, per example (shown in the next steps). */
const START_HINTS: Record<string, string> = {
  hello: 'then open http://127.0.0.1:3000/openapi.json (PORT changes the port)',
  storefront: 'all services and a scripted demo; the gateway is http://127.0.0.1:4000',
};

/** The commands to print after scaffolding. */
export function nextSteps(result: ScaffoldResult, cwd = process.cwd()): string {
  const relative = path.relative(cwd, result.targetDir) || '.';
  const cd = relative.includes(' ') ? `"${relative}"` : relative;
  const hint = START_HINTS[result.example] ?? 'see the README of the example';
  return [
    `Created ${result.name} from the ${result.example} example in ${result.targetDir}`,
    '',
    'Next:',
    `  cd ${cd}`,
    '  npm install',
    `  npm start       # ${hint}`,
    '  npm test',
    '',
  ].join('\n');
}
