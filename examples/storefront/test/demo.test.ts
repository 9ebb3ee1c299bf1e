/**
 * `npm start` is what a newcomer runs first: the runner starts every service, the scripted
 * demo passes through sign-in, browsing, an idempotent order, the rate limit and a dead
 * catalog, and `--exit` stops everything and reports the demo's outcome as the exit code.
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
    expect(output).toContain('the same order, not a second one');
    expect(output).toMatch(/then 429 Too Many Requests/);
    expect(output).toMatch(/-> 503 Service Unavailable/);
    expect(output).toMatch(/the breaker let a trial request through and closed/);
    expect(output).toMatch(/its spans \(from the file exporter\):\n\s+gateway: POST \/orders/);
    expect(output).toContain(`http://127.0.0.1:${gateway}/openapi.json`);
  }, 180_000);
});
