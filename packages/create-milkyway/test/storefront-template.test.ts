/**
 * The storefront template is the event-driven storefront (issue 17), self-contained: the
 * bundled copy of examples/storefront has its event flow, its read model and the database and
 * messaging dependencies they need.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const pkgDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const template = path.join(pkgDir, 'templates', 'storefront');

beforeAll(() => {
  // The build bundles the templates; bundle them here when the package was not built.
  if (!fs.existsSync(path.join(template, 'package.json'))) {
    execFileSync(process.execPath, [path.join(pkgDir, 'scripts', 'bundle-templates.mjs')], {
      cwd: pkgDir,
      stdio: 'pipe',
    });
  }
}, 60_000);

describe('the storefront template', () => {
  it('contains the event-driven services: outbox/inbox messaging, the read model, the e2e suites', () => {
    for (const file of [
      'orders/src/order-history.ts',
      'shared/src/messaging.ts',
      'shared/src/data.ts',
      'shared/src/contracts/events.ts',
      'catalog/src/products.ts',
      'test/flow-suite.ts',
      'test/events-e2e.ts',
    ]) {
      expect(fs.existsSync(path.join(template, file)), file).toBe(true);
    }
    expect(fs.readFileSync(path.join(template, 'catalog/src/products.ts'), 'utf8')).toContain(
      'answered_orders',
    );
  });

  it('declares the database and messaging dependencies the services import', () => {
    const manifest = JSON.parse(fs.readFileSync(path.join(template, 'package.json'), 'utf8'));
    const deps = { ...manifest.dependencies, ...manifest.devDependencies };
    for (const name of [
      '@electric-sql/pglite',
      'pg',
      '@milkyway/events',
      '@milkyway/nats',
      '@milkyway/postgres',
    ]) {
      expect(deps, name).toHaveProperty([name]);
    }
  });
});
