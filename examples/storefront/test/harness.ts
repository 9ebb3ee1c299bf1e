/**
 * End-to-end harness: starts the real storefront processes on free ports, gives tests tokens,
 * reads the exported spans and the logs, restarts single services, and always stops them.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { type Storefront, type StorefrontOptions, startStorefront } from '../src/system.js';
import type { RecordedExchange } from './openapi-conformance.js';

/** A started storefront plus test helpers. */
export interface TestSystem extends Storefront {
  /** Folder with this system's exported spans (JSON lines) and other files. */
  dir: string;
  /** A bearer token for a demo user (from the identity service). */
  token(user?: string): Promise<string>;
  /** Every span exported so far by every service. */
  spans(): ExportedSpan[];
  /** Restarts one service on the same port and waits until it is ready. */
  restart(name: string): Promise<void>;
  /** Raw output lines of one service. */
  logs(name: string): string[];
}

/** A span as the storefront's file exporter writes it (one JSON object a line). */
export interface ExportedSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number | string;
  service?: string;
  attributes?: Record<string, unknown>;
  [key: string]: unknown;
}

/** Starts the storefront for a test file; stop it in afterAll with `system.stop()`. */
export async function startTestSystem(options: StorefrontOptions = {}): Promise<TestSystem> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'storefront-e2e-'));
  const traceFile = path.join(dir, 'spans.jsonl');
  const verbose = process.env.STOREFRONT_E2E_LOGS === '1';
  const storefront = await startStorefront({
    randomPorts: true,
    print: verbose ? (line) => process.stdout.write(`${line}\n`) : false,
    ...options,
    env: {
      LOG_LEVEL: 'info',
      TRACE_FILE: traceFile,
      ...options.env,
    },
  });
  const tokens = new Map<string, string>();
  return {
    ...storefront,
    dir,
    async token(user = 'alice') {
      const cached = tokens.get(user);
      if (cached) return cached;
      const res = await fetch(`${storefront.urls.identity}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: user, password: user }),
      });
      if (res.status !== 200)
        throw new Error(`token for ${user}: ${res.status} ${await res.text()}`);
      const body = (await res.json()) as { access_token: string };
      tokens.set(user, body.access_token);
      return body.access_token;
    },
    spans() {
      if (!fs.existsSync(traceFile)) return [];
      return fs
        .readFileSync(traceFile, 'utf8')
        .split('\n')
        .filter((line) => line.trim())
        .map((line) => JSON.parse(line) as ExportedSpan);
    },
    async restart(name) {
      const service = storefront.supervisor.get(name);
      if (service.running) await service.stop();
      service.start();
      await service.waitUntilReady(30_000);
    },
    logs(name) {
      return storefront.supervisor.get(name).lines;
    },
    async stop() {
      try {
        await storefront.stop();
      } finally {
        storefront.supervisor.killAll();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * Polls `check` until it returns a truthy value or the deadline passes (then throws with the
 * last error or value). For waiting on things that become true, never a fixed sleep.
 */
export async function waitFor<T>(
  check: () => Promise<T> | T,
  { timeoutMs = 10_000, intervalMs = 50, what = 'condition' } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(
    `timed out after ${timeoutMs} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
  );
}

/**
 * Every exchange `call()` made in this test file, in order: the OpenAPI conformance check
 * validates each against the document of the service that answered it.
 */
export const exchanges: RecordedExchange[] = [];

/** fetch with a JSON body and optional bearer token; never hangs longer than `timeoutMs`. */
export async function call(
  url: string,
  init: {
    method?: string;
    token?: string;
    body?: unknown;
    headers?: Record<string, string>;
    timeoutMs?: number;
  } = {},
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  let body: string | undefined;
  if (init.body !== undefined) {
    body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
    headers['content-type'] ??= 'application/json';
  }
  const started = performance.now();
  const res = await fetch(url, {
    method: init.method ?? (body ? 'POST' : 'GET'),
    headers,
    body,
    signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
  });
  const text = await res.text();
  exchanges.push({
    method: init.method ?? (body ? 'POST' : 'GET'),
    url,
    status: res.status,
    contentType: res.headers.get('content-type'),
    text,
  });
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return {
    status: res.status,
    headers: res.headers,
    text,
    // biome-ignore lint/suspicious/noExplicitAny: tests assert on the shape of bodies
    json: json as any,
    ms: performance.now() - started,
  };
}

/**
 * One request on its own connection (node:http, no pooling): for requests the server answers
 * early and then closes (oversized bodies, huge headers), which would break a pooled socket.
 * Every outcome is bounded: it resolves once the whole answer was read, and rejects on a socket
 * error before that (a reset that threw the answer away is a failure, not a wait) or after
 * `timeoutMs` (default 10 s) with a message naming the URL.
 */
export function rawRequest(
  url: string,
  init: {
    method?: string;
    headers?: Record<string, string>;
    body?: string;
    timeoutMs?: number;
    /** The request target sent as is (e.g. `/a/%2e%2e/b`), instead of the URL's normalised path. */
    path?: string;
  } = {},
): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const limitMs = init.timeoutMs ?? 10_000;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      outcome();
    };
    const fail = (what: string, cause?: Error) =>
      settle(() => reject(new Error(`${init.method ?? 'GET'} ${url}: ${what}`, { cause })));
    const req = http.request(url, {
      method: init.method ?? 'GET',
      headers: init.headers,
      agent: false,
      ...(init.path !== undefined && { path: init.path }),
    });
    const timer = setTimeout(() => {
      fail(`no complete answer within ${limitMs} ms`);
      req.destroy();
    }, limitMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        settle(() =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        ),
      );
      res.on('error', (error) => fail('the answer was cut off', error));
      res.on('close', () => fail('the connection closed before the end of the answer'));
    });
    // Once the answer is read, a late EPIPE/ECONNRESET while the body was still being written
    // changes nothing; before that, it is the failure to report.
    req.on('error', (error) =>
      fail(`socket error before the answer was read (${error.message})`, error),
    );
    req.end(init.body);
  });
}
