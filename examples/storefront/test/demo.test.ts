/**
 * `npm start` is what a newcomer runs first: the runner starts every service (embedded: PGlite
 * and HTTP push, nothing installed), the scripted demo passes through sign-in, browsing, an
 * idempotent order followed from pending to confirmed by the events, an order for too many items
 * rejected by them, the rate limit, a dead catalog (the breaker; orders accepted pending and
 * confirmed once it is back), the order-history read model and its rebuild, and the trace of one
 * order across HTTP and messaging; `--exit` stops everything and reports the demo's outcome as
 * the exit code. The assertions read the narration's behaviour, never its timings.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts } from '../src/ports.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const tsx = createRequire(import.meta.url).resolve('tsx');
let child: ChildProcess | undefined;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storefront-demo-'));

afterAll(() => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('npm start', () => {
  it('runs the whole scripted demo against freshly started services and stops them', async () => {
    const [gateway, identity, catalog, orders] = await freePorts(4);
    child = spawn(process.execPath, ['--import', tsx, 'src/start.ts', '--exit', '--quiet'], {
      cwd: root,
      env: {
        ...process.env,
        GATEWAY_PORT: String(gateway),
        IDENTITY_PORT: String(identity),
        CATALOG_PORT: String(catalog),
        ORDERS_PORT: String(orders),
        TRACE_FILE: path.join(dir, 'traces.jsonl'),
        NO_COLOR: '1',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const code = await new Promise<number | null>((resolve) => child!.once('exit', resolve));
    expect(code, output).toBe(0);
    // Embedded: nothing installed.
    expect(output).toMatch(/data in embedded PGlite, events over HTTP push/);
    // An order: pending, confirmed by the events, polled cheaply, retried idempotently.
    expect(output).toMatch(/POST \/orders -> 201: order o-\S+, pending/);
    expect(output).toMatch(/pending -> confirmed \d+(\.\d)? m?s after it was placed/);
    expect(output).toMatch(/with If-None-Match: "[^"]+" -> 304 Not Modified/);
    expect(output).toContain('the same order, not a second one');
    // Too many items: rejected by the event flow, with the reason.
    expect(output).toMatch(/-> 201 pending: orders does not know the stock/);
    expect(output).toMatch(/pending -> rejected .* after it was placed/);
    expect(output).toMatch(
      /rejectionReason: insufficient-stock: p-\d+ \(requested \d+, available \d+\)/,
    );
    expect(output).toMatch(/nothing was reserved/);
    expect(output).toMatch(/then 429 Too Many Requests/);
    // The catalog killed: the breaker, orders accepted pending, confirmed once it is back.
    expect(output).toMatch(/-> 503 Service Unavailable/);
    expect(output).toMatch(/alice: 3 x POST \/orders -> 201 pending/);
    expect(output).toMatch(/-> 200 pending; again with If-None-Match -> 304/);
    expect(output).toMatch(/the breaker let a trial request through and closed/);
    expect(output).toMatch(
      /polling o-\S+ with If-None-Match since the restart: (304( x\d+)?, )?confirmed/,
    );
    expect(output).toMatch(/all 3 orders placed during the outage are confirmed/);
    // The read model and its rebuild (admin only).
    expect(output).toMatch(/GET \/order-history \(alice\) -> 200: 5 orders: 4 confirmed/);
    expect(output).toMatch(/alice: POST \/admin\/order-history\/rebuild -> 403/);
    expect(output).toMatch(
      /admin: POST \/admin\/order-history\/rebuild -> 200: generation \d+ -> \d+/,
    );
    expect(output).toMatch(/\(the same totals\)/);
    // One trace from the request to the status update, across HTTP and messaging.
    expect(output).toMatch(/its spans \(from the file exporter\):\n\s+gateway: POST \/orders/);
    const tree = output.slice(output.indexOf('its spans (from the file exporter):'));
    const hops = [
      'gateway: POST /orders',
      'orders: POST /orders',
      'orders: orders place order',
      'orders: relay storefront.order.placed.v1',
      'catalog: process storefront.order.placed.v1',
      'catalog: relay storefront.stock.reserved.v1',
      'orders: process storefront.stock.reserved.v1',
      'orders: orders settle order',
    ];
    const positions = hops.map((hop) => tree.indexOf(hop));
    expect(
      positions.every((p) => p >= 0),
      tree,
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(output).toContain(`http://127.0.0.1:${gateway}/openapi.json`);
    expect(output).toContain(`http://127.0.0.1:${orders}/asyncapi.json`);
  }, 300_000);
});
