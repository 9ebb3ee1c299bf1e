// Proves docs/getting-started.md works: the service it builds answers an authenticated request
// and exports a span for it, in-process and when started from the command line as the guide says.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setupTelemetry } from '@milkyway/observability/setup';
import { exportPKCS8, exportSPKI, generateKeyPair } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from './service.js';
import { createToken } from './token.js';

const telemetry = setupTelemetry({
  serviceName: 'hello',
  traces: 'memory',
  spanProcessor: 'simple',
  metrics: 'none',
});
afterAll(() => telemetry.shutdown());
afterEach(() => telemetry.spans?.reset());

let privateKey: string;
let service: ReturnType<typeof createApp>;
beforeAll(async () => {
  const pair = await generateKeyPair('ES256', { extractable: true });
  privateKey = await exportPKCS8(pair.privateKey);
  service = createApp({ publicKey: await exportSPKI(pair.publicKey) });
});

const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });

describe('the getting-started service, in-process', () => {
  it('answers the authenticated route for a token with the hello:read scope', async () => {
    const token = await createToken({ privateKey, subject: 'alice', scopes: ['hello:read'] });
    const res = await service.request('/api/me', bearer(token));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ subject: 'alice', scopes: ['hello:read'] });
  });

  it('exports a server span for the authenticated request', async () => {
    const token = await createToken({ privateKey, subject: 'alice', scopes: ['hello:read'] });
    const res = await service.request('/api/me', bearer(token));
    const spans = telemetry.spans?.getFinishedSpans() ?? [];
    expect(spans.map((s) => s.name)).toContain('GET /api/me');
    const span = spans.find((s) => s.name === 'GET /api/me');
    expect(span?.attributes['http.response.status_code']).toBe(200);
    expect(res.headers.get('x-trace-id')).toBe(span?.spanContext().traceId);
  });

  it('refuses a request without a token with 401 and WWW-Authenticate: Bearer', async () => {
    const res = await service.request('/api/me');
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('refuses a token without the hello:read scope with 403 insufficient_scope', async () => {
    const token = await createToken({ privateKey, subject: 'alice', scopes: ['other:scope'] });
    const res = await service.request('/api/me', bearer(token));
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="hello:read"',
    );
  });

  it('serves the public route without a token', async () => {
    const res = await service.request('/hello/world');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: 'Hello, world!' });
  });
});

describe('the getting-started guide', () => {
  const read = (file: string) => readFileSync(new URL(file, import.meta.url), 'utf8');
  const blocks = [...read('../../getting-started.md').matchAll(/```ts[^\n]*\n([\s\S]*?)```/g)].map(
    (m) => m[1],
  );

  it('shows token.ts exactly as this folder has it', () => {
    expect(blocks).toContain(read('./token.ts'));
  });

  it('shows service.ts exactly as this folder has it', () => {
    expect(blocks).toContain(read('./service.ts'));
  });
});

describe('the getting-started service, from the command line', () => {
  const root = fileURLToPath(new URL('../../../', import.meta.url));
  const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
  const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));
  let child: ChildProcess | undefined;

  afterAll(async () => {
    if (child && child.exitCode === null) {
      const exited = new Promise((resolve) => child?.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('prints a trace for an authenticated request, as the guide shows', async () => {
    // Step 3 of the guide: `npx tsx token.ts` (creates ./keys on the first run).
    const { stdout: token } = await promisify(execFile)(tsx, [here('./token.ts')], { cwd: root });
    // Step 4: `npx tsx service.ts`, here on a free port.
    child = spawn(tsx, [here('./service.ts')], {
      cwd: root,
      env: { ...process.env, PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr?.on('data', (chunk) => {
      output += chunk;
    });
    const until = async (found: () => string | undefined): Promise<string> => {
      for (;;) {
        const value = found();
        if (value !== undefined) return value;
        if (child?.exitCode !== null) throw new Error(`service exited:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const url = await until(() => /"url":"([^"]+)"/.exec(output)?.[1]);

    const res = await fetch(`${url}/api/me`, bearer(token.trim()));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ subject: 'alice', scopes: ['hello:read'] });
    const traceId = res.headers.get('x-trace-id');
    // Step 5: the console exporter prints the span, with the trace id the response carried.
    await until(() => (output.includes(`traceId: '${traceId}'`) ? 'printed' : undefined));
    expect(output).toContain("name: 'GET /api/me'");
  });
});
