/**
 * The scripted demo `npm start` runs against a started storefront: sign in, browse, place an
 * order (and retry it), hit the rate limit, break the catalog and watch the gateway handle it.
 * Everything goes through the gateway, as a client would.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import type { Storefront } from './system.js';

interface DemoOptions {
  out: (line?: string) => void;
  traceFile: string;
}

interface Reply {
  status: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: the demo reads bodies it knows the shape of
  body: any;
  ms: number;
}

async function request(
  url: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.authorization = `Bearer ${init.token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const started = performance.now();
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, body, ms: performance.now() - started };
}

/** A fresh W3C traceparent, so the demo knows the trace id of its order before sending it. */
function newTraceparent() {
  const traceId = randomBytes(16).toString('hex');
  return { traceId, header: `00-${traceId}-${randomBytes(8).toString('hex')}-01` };
}

interface SpanLine {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service?: string;
  durationMs?: number;
  status?: unknown;
}

function readSpans(file: string, traceId: string): SpanLine[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        return JSON.parse(line) as SpanLine;
      } catch {
        return undefined;
      }
    })
    .filter((s): s is SpanLine => s?.traceId === traceId);
}

/** Prints a trace as an indented tree (parents before children). */
function traceTree(spans: SpanLine[]): string[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of spans.filter((s) =>
      parent ? s.parentSpanId === parent : !s.parentSpanId || !ids.has(s.parentSpanId),
    )) {
      const ms = typeof span.durationMs === 'number' ? ` ${span.durationMs.toFixed(1)} ms` : '';
      lines.push(`${'  '.repeat(depth + 2)}${span.service ?? '?'}: ${span.name}${ms}`);
      walk(span.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}

async function until<T>(check: () => Promise<T | undefined>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return undefined;
}

/** Runs the demo; throws if the system does not behave as described. */
export async function runDemo(storefront: Storefront, { out, traceFile }: DemoOptions) {
  const gw = storefront.urls.gateway;
  const bold = process.stdout.isTTY && !process.env.NO_COLOR;
  const step = (title: string) => out(bold ? `\n\x1b[1m== ${title}\x1b[0m` : `\n== ${title}`);
  const expect = (ok: boolean, what: string) => {
    if (!ok) throw new Error(what);
  };

  step('1. Sign in (the demo identity service issues a short-lived ES256 token)');
  const signIn = await request(`${storefront.urls.identity}/token`, {
    method: 'POST',
    body: { username: 'alice', password: 'alice' },
  });
  expect(signIn.status === 200, `sign-in answered ${signIn.status}`);
  const token = signIn.body.access_token as string;
  out(
    `   POST /token as alice -> ${signIn.status}; scopes: ${signIn.body.scope}; expires in ${signIn.body.expires_in} s`,
  );
  const anonymous = await request(`${gw}/products`);
  out(`   GET /products without a token -> ${anonymous.status} ${anonymous.body?.title ?? ''}`);

  step('2. Browse the catalog through the gateway');
  const list = await request(`${gw}/products`, { token });
  expect(list.status === 200, `GET /products answered ${list.status}`);
  const products = list.body.products as Array<{ id: string; name: string; priceCents: number }>;
  for (const p of products.slice(0, 4)) {
    out(`   ${p.id.padEnd(10)} ${p.name.padEnd(24)} ${(p.priceCents / 100).toFixed(2)} EUR`);
  }
  const etag = list.headers.get('etag');
  const again = await request(`${gw}/products`, {
    token,
    headers: etag ? { 'if-none-match': etag } : {},
  });
  out(
    `   GET /products again with If-None-Match: ${etag} -> ${again.status} (${again.ms.toFixed(1)} ms)`,
  );

  step('3. Place an order (with an Idempotency-Key) and retry it');
  const trace = newTraceparent();
  const key = randomUUID();
  const items = [
    { productId: products[0]!.id, quantity: 2 },
    { productId: products[1]!.id, quantity: 1 },
  ];
  const order = await request(`${gw}/orders`, {
    method: 'POST',
    token,
    body: { items },
    headers: { 'idempotency-key': key, traceparent: trace.header },
  });
  expect(
    order.status === 201,
    `POST /orders answered ${order.status}: ${JSON.stringify(order.body)}`,
  );
  out(
    `   POST /orders -> ${order.status}: order ${order.body.id}, total ${(order.body.totalCents / 100).toFixed(2)} EUR (${order.ms.toFixed(1)} ms)`,
  );
  const retry = await request(`${gw}/orders`, {
    method: 'POST',
    token,
    body: { items },
    headers: { 'idempotency-key': key },
  });
  out(
    `   the same POST again (same key) -> ${retry.status}: order ${retry.body?.id} (${retry.body?.id === order.body.id ? 'the same order, not a second one' : 'a DIFFERENT order?!'})`,
  );
  expect(retry.body?.id === order.body.id, 'the retried order created a second order');

  step('4. The rate limit (per principal)');
  const bob = await request(`${storefront.urls.identity}/token`, {
    method: 'POST',
    body: { username: 'bob', password: 'bob' },
  });
  const bobToken = bob.body.access_token as string;
  let limited: Reply | undefined;
  let allowed = 0;
  for (let i = 0; i < 500 && !limited; i++) {
    const r = await request(`${gw}/products`, { token: bobToken });
    if (r.status === 429) limited = r;
    else allowed++;
  }
  if (limited) {
    out(`   bob: ${allowed} requests allowed, then ${limited.status} ${limited.body?.title ?? ''}`);
    out(
      `   RateLimit: ${limited.headers.get('ratelimit') ?? '-'}  RateLimit-Policy: ${limited.headers.get('ratelimit-policy') ?? '-'}  Retry-After: ${limited.headers.get('retry-after') ?? '-'}`,
    );
    const aliceStill = await request(`${gw}/products`, { token });
    out(`   alice meanwhile -> ${aliceStill.status} (each principal has its own budget)`);
  } else {
    out(`   bob made ${allowed} requests without being limited (is the limit set very high?)`);
  }

  step('5. A broken dependency: the catalog dies');
  const catalog = storefront.supervisor.get('catalog');
  // SIGKILL loses what the catalog has not exported yet: let the order's spans reach the file.
  await until(async () => {
    const services = new Set(readSpans(traceFile, trace.traceId).map((s) => s.service));
    return services.has('catalog') || undefined;
  }, 5_000);
  await catalog.kill();
  out('   catalog killed (SIGKILL)');
  // The first calls fail on the network (502); once enough of them failed, the breaker
  // opens and the gateway answers 503 at once, without calling the catalog at all.
  const failures: Reply[] = [];
  for (let i = 0; i < 60 && failures.at(-1)?.status !== 503; i++) {
    failures.push(await request(`${gw}/products`, { token }));
  }
  const show = (r: Reply, i: number) =>
    out(
      `   GET /products #${i + 1} -> ${r.status} ${r.body?.title ?? ''} in ${r.ms.toFixed(1)} ms${r.headers.get('retry-after') ? ` (Retry-After: ${r.headers.get('retry-after')})` : ''}`,
    );
  failures.slice(0, 2).forEach(show);
  if (failures.length > 3) {
    out(
      `   ... ${failures.length - 3} more like these (the breaker judges the failure rate of the last 5 s, which also saw bob's successful calls) ...`,
    );
  }
  show(failures.at(-1)!, failures.length - 1);
  const open = failures.at(-1)!;
  expect(open.status === 503, `a dead catalog still answered ${open.status}`);
  const fast: Reply[] = [];
  for (let i = 0; i < 5; i++) fast.push(await request(`${gw}/products`, { token }));
  out(
    `   the breaker is open: 5 more calls answered ${[...new Set(fast.map((r) => r.status))].join('/')} in at most ${Math.max(...fast.map((r) => r.ms)).toFixed(1)} ms each, without waiting on the catalog`,
  );
  catalog.start();
  await catalog.waitUntilReady(30_000);
  out('   catalog restarted');
  const recovered = await until(async () => {
    const r = await request(`${gw}/products`, { token });
    return r.status === 200 ? r : undefined;
  }, 30_000);
  expect(recovered !== undefined, 'the gateway did not recover after the catalog came back');
  out(
    `   GET /products -> ${recovered!.status}: the breaker let a trial request through and closed`,
  );

  step('6. Where to look');
  out(`   The order's trace id: ${trace.traceId}`);
  const spans = await until(async () => {
    const found = readSpans(traceFile, trace.traceId);
    const services = new Set(found.map((s) => s.service));
    return services.size >= 3 ? found : undefined;
  }, 5_000);
  if (spans) {
    out('   its spans (from the file exporter):');
    for (const line of traceTree(spans)) out(line);
  } else {
    out(`   (spans are exported in batches; look for it in ${traceFile} in a few seconds)`);
  }
}
