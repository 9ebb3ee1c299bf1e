// The dependency direction of shared/DESIGN.md, checked by a tool (`npm run lint:deps`, part of
// `npm test`). A package may import only the layers below it, only through their public entry
// points (the files its package.json `exports` names), and nothing may form a cycle.
// docs/architecture.md explains the layers; change both together.
const fs = require('node:fs');
const path = require('node:path');

/** Which workspace packages each package's source may import (besides itself). */
const ALLOWED = {
  protocol: [],
  core: ['protocol'],
  resilience: ['protocol'],
  observability: ['protocol', 'core'],
  auth: ['protocol', 'core'],
  events: ['protocol', 'resilience'],
  redis: ['protocol', 'core'],
  nats: ['protocol', 'events', 'resilience'],
  postgres: ['protocol', 'events', 'resilience'],
  'create-milkyway': [],
};

const packagesDir = path.join(__dirname, 'packages');
const packages = fs
  .readdirSync(packagesDir)
  .filter((name) => fs.existsSync(path.join(packagesDir, name, 'package.json')));

/** The source files a package's `exports` map makes public (index.ts + subpath entries). */
function entryFiles(name) {
  const pkg = JSON.parse(fs.readFileSync(path.join(packagesDir, name, 'package.json'), 'utf8'));
  const subpaths = Object.keys(pkg.exports ?? {}).filter((key) => key !== './package.json');
  return subpaths.map((key) => (key === '.' ? 'index' : key.slice(2)));
}

const esc = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const layerRules = packages
  .filter((name) => ALLOWED[name] !== undefined)
  .map((name) => ({
    name: `layers-${name}`,
    comment: `${name} may import only ${ALLOWED[name].join(', ') || 'no other package'} (shared/DESIGN.md, docs/architecture.md)`,
    severity: 'error',
    from: { path: `^packages/${esc(name)}/src/` },
    to: { path: `^packages/(?!(?:${[name, ...ALLOWED[name]].map(esc).join('|')})/)[^/]+/` },
  }));

const unknownPackages = packages.filter((name) => ALLOWED[name] === undefined);
if (unknownPackages.length > 0) {
  throw new Error(
    `.dependency-cruiser.cjs: add ${unknownPackages.join(', ')} to ALLOWED (which layers may it import?)`,
  );
}

const deepImportRules = packages.map((name) => ({
  name: `no-deep-import-${name}`,
  comment: `outside packages/${name}, import it only through its public entry points (${entryFiles(name).join(', ')})`,
  severity: 'error',
  from: { pathNot: `^packages/${esc(name)}/` },
  to: {
    path: `^packages/${esc(name)}/`,
    pathNot: `^packages/${esc(name)}/(?:src/(?:${entryFiles(name).map(esc).join('|')})\\.ts|package\\.json)$`,
  },
}));

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'modules must not depend on themselves through others at run time (a cycle made only of `import type` edges loads nothing and is allowed: return types may name each other)',
      severity: 'error',
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'protocol-has-no-runtime-dependencies',
      comment: '@milkyway/protocol sits at the bottom: node builtins only',
      severity: 'error',
      from: { path: '^packages/protocol/src/' },
      to: {
        dependencyTypes: [
          'npm',
          'npm-dev',
          'npm-peer',
          'npm-optional',
          'npm-no-pkg',
          'npm-unknown',
        ],
      },
    },
    {
      name: 'resilience-primitives-without-hono-or-core',
      comment:
        "resilience's primitives wrap any async function: no hono, no core (only its hono/http entries may)",
      severity: 'error',
      from: {
        path: '^packages/resilience/src/',
        pathNot: '^packages/resilience/src/(?:hono|http)(?:/|\\.ts$)',
      },
      to: { path: '(?:^|/)node_modules/(?:hono|@hono/node-server)/' },
    },
    {
      name: 'only-observability-setup-uses-the-otel-sdk',
      comment: 'packages emit through @opentelemetry/api only; the SDK is for observability/setup',
      severity: 'error',
      from: { path: '^packages/', pathNot: '^packages/observability/src/setup' },
      to: {
        path: '(?:^|/)node_modules/@opentelemetry/(?:sdk-|exporter-|resources|semantic-conventions-incubating)',
      },
    },
    {
      name: 'examples-use-only-public-packages',
      comment: 'examples are assembled from the public packages, never from each other',
      severity: 'error',
      from: { path: '^examples/([^/]+)/' },
      to: { path: '^examples/', pathNot: '^examples/$1/' },
    },
    ...layerRules,
    ...deepImportRules,
    {
      name: 'not-to-unresolvable',
      comment: 'an import that resolves to nothing',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(?:^|/)(?:node_modules|dist|templates)/|\\.d\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
      mainFields: ['module', 'main', 'types'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
