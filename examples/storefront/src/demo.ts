/**
 * The scripted demo `npm start` runs against a started storefront: sign in, browse, place an
 * order and follow it from `pending` to `confirmed` as the events flow (polling with
 * If-None-Match), an order for more than the stock rejected by the event flow, the rate limit,
 * the catalog killed while orders keep coming (the gateway's breaker; the orders wait pending and
 * are confirmed once it is back), the order-history read model and its rebuild, and the trace of
 * one order across HTTP and messaging. Everything goes through the gateway, as a client would.
 * Every wait polls with a generous deadline (never a fixed sleep): a busy machine is slower, not
 * wrong.
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
  kind?: number;
  startTimeMs?: number;
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

/** Prints a trace as an indented tree (parents before children, in start order). */
function traceTree(spans: SpanLine[]): string[] {
  const ids = new Set(spans.map((s) => s.spanId));
  const sorted = [...spans].sort((a, b) => (a.startTimeMs ?? 0) - (b.startTimeMs ?? 0));
  const origin = sorted[0]?.startTimeMs;
  const lines: string[] = [];
  const walk = (parent: string | undefined, depth: number) => {
    for (const span of sorted.filter((s) =>
      parent ? s.parentSpanId === parent : !s.parentSpanId || !ids.has(s.parentSpanId),
    )) {
      const ms = typeof span.durationMs === 'number' ? ` ${span.durationMs.toFixed(1)} ms` : '';
      const at =
        origin !== undefined && span.startTimeMs !== undefined
          ? ` (at +${(span.startTimeMs - origin).toFixed(1)} ms)`
          : '';
      lines.push(`${'  '.repeat(depth + 2)}${span.service ?? '?'}: ${span.name}${ms}${at}`);
      walk(span.spanId, depth + 1);
    }
  };
  walk(undefined, 0);
  return lines;
}

/**
 * The chain of spans from an order's status update (`orders settle order`) up to the root of its
 * trace, as `service: name` (the root first).
 */
function settleChain(spans: SpanLine[]): string[] {
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const chain: string[] = [];
  for (
    let span = spans.find((s) => s.name === 'orders settle order');
    span;
    span = span.parentSpanId ? byId.get(span.parentSpanId) : undefined
  ) {
    chain.unshift(`${span.service}: ${span.name}`);
  }
  return chain;
}

/**
 * Polls `check` until it returns a value or the deadline passes (then undefined). The pause
 * between checks grows from `firstMs` by half each time up to `maxMs`, as a polite client polls.
 */
async function until<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  { firstMs = 100, maxMs = 100 } = {},
) {
  const deadline = Date.now() + timeoutMs;
  let pause = firstMs;
  while (Date.now() < deadline) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, pause));
    pause = Math.min(maxMs, pause * 1.5);
  }
  return undefined;
}

const eur = (cents: number) => `${(cents / 100).toFixed(2)} EUR`;
const seconds = (ms: number) =>
  ms < 1_000 ? `${ms.toFixed(0)} ms` : `${(ms / 1_000).toFixed(1)} s`;

/** What following an order with If-None-Match saw. */
interface Followed {
  /** The first answer that was not a 304 and not pending (the order's final state). */
  final: Reply;
  /** The statuses the client saw, in order (`pending`, `304`, ..., `confirmed`). */
  seen: string[];
  /** How long the client polled. */
  ms: number;
}

/**
 * Follows an order as a client would: `GET /orders/:id` (through the gateway), then again with
 * `If-None-Match: <its ETag>` — a 304 without a body while nothing changed — until it is no
 * longer `pending`. Throws after `timeoutMs`.
 */
async function followOrder(
  gw: string,
  token: string,
  id: string,
  { etag, timeoutMs = 60_000 }: { etag?: string; timeoutMs?: number } = {},
): Promise<Followed> {
  const started = performance.now();
  const seen: string[] = [];
  let tag = etag;
  const final = await until(
    async () => {
      const r = await request(`${gw}/orders/${id}`, {
        token,
        headers: tag ? { 'if-none-match': tag } : {},
      });
      if (r.status === 304) {
        seen.push('304');
        return undefined;
      }
      if (r.status !== 200) throw new Error(`GET /orders/${id} answered ${r.status}`);
      seen.push(r.body.status);
      tag = r.headers.get('etag') ?? undefined;
      return r.body.status === 'pending' ? undefined : r;
    },
    timeoutMs,
    { firstMs: 100, maxMs: 1_000 },
  );
  if (!final) {
    throw new Error(
      `order ${id} was still pending after ${timeoutMs} ms (seen: ${seen.join(' ')})`,
    );
  }
  return { final, seen, ms: performance.now() - started };
}

/** `304 x3` for a run of equal entries: `pending 304 304 confirmed` -> `pending, 304 x2, confirmed`. */
function runs(seen: string[]): string {
  const parts: string[] = [];
  for (let i = 0; i < seen.length; ) {
    let j = i;
    while (j < seen.length && seen[j] === seen[i]) j++;
    parts.push(j - i > 1 ? `${seen[i]} x${j - i}` : seen[i]!);
    i = j;
  }
  return parts.join(', ');
}

/** How long the order took from placed to its final status, by the server's clock. */
const settledIn = (order: { createdAt: string; updatedAt: string }) =>
  seconds(Date.parse(order.updatedAt) - Date.parse(order.createdAt));

/** Runs the demo; throws if the system does not behave as described. */
export async function runDemo(storefront: Storefront, { out, traceFile }: DemoOptions) {
  const gw = storefront.urls.gateway;
  const bold = process.stdout.isTTY && !process.env.NO_COLOR;
  const step = (title: string) => out(bold ? `\n\x1b[1m== ${title}\x1b[0m` : `\n== ${title}`);
  const expect = (ok: boolean, what: string) => {
    if (!ok) throw new Error(what);
  };
  const signIn = async (username: string) => {
    const r = await request(`${storefront.urls.identity}/token`, {
      method: 'POST',
      body: { username, password: username },
    });
    expect(r.status === 200, `sign-in of ${username} answered ${r.status}`);
    return r;
  };
  const placeOrder = async (
    token: string,
    items: Array<{ productId: string; quantity: number }>,
    headers: Record<string, string> = {},
  ) => {
    const r = await request(`${gw}/orders`, {
      method: 'POST',
      token,
      body: { items },
      headers: { 'idempotency-key': randomUUID(), ...headers },
    });
    expect(r.status === 201, `POST /orders answered ${r.status}: ${JSON.stringify(r.body)}`);
    expect(r.body.status === 'pending', `a new order is ${r.body.status}, not pending`);
    return r;
  };

  step('1. Sign in (the demo identity service issues a short-lived ES256 token)');
  const alice = await signIn('alice');
  const token = alice.body.access_token as string;
  out(
    `   POST /token as alice -> ${alice.status}; scopes: ${alice.body.scope}; expires in ${alice.body.expires_in} s`,
  );
  const anonymous = await request(`${gw}/products`);
  out(`   GET /products without a token -> ${anonymous.status} ${anonymous.body?.title ?? ''}`);

  step('2. Browse the catalog through the gateway');
  const list = await request(`${gw}/products`, { token });
  expect(list.status === 200, `GET /products answered ${list.status}`);
  type Product = { id: string; name: string; priceCents: number; stock: number };
  const products = list.body.products as Product[];
  for (const p of products) {
    out(
      `   ${p.id.padEnd(10)} ${p.name.padEnd(24)} ${eur(p.priceCents).padStart(10)}  stock ${p.stock}`,
    );
  }
  const etag = list.headers.get('etag');
  const again = await request(`${gw}/products`, {
    token,
    headers: etag ? { 'if-none-match': etag } : {},
  });
  out(
    `   GET /products again with If-None-Match: ${etag} -> ${again.status} (${again.ms.toFixed(1)} ms)`,
  );

  step('3. Place an order: it starts pending, the events confirm it');
  const trace = newTraceparent();
  const key = randomUUID();
  const items = [
    { productId: products[0]!.id, quantity: 2 },
    { productId: products[1]!.id, quantity: 1 },
  ];
  const order = await placeOrder(token, items, {
    'idempotency-key': key,
    traceparent: trace.header,
  });
  const orderId = order.body.id as string;
  out(
    `   POST /orders -> ${order.status}: order ${orderId}, ${order.body.status}, total ${eur(order.body.totalCents)} (${order.ms.toFixed(1)} ms)`,
  );
  out('   orders committed the order and storefront.order.placed in one transaction (the outbox);');
  out('   its relay pushes the event to the catalog, which reserves the stock and answers');
  out('   storefront.stock.reserved; orders consumes that and confirms the order.');
  const followed = await followOrder(gw, token, orderId);
  const confirmed = followed.final;
  expect(
    confirmed.body.status === 'confirmed',
    `the order became ${confirmed.body.status}: ${confirmed.body.rejectionReason ?? ''}`,
  );
  out(
    `   following it: GET /orders/${orderId}, then again with If-None-Match (a 304 without a body while unchanged): ${runs(followed.seen)}`,
  );
  out(
    `   pending -> confirmed ${settledIn(confirmed.body)} after it was placed (the client saw it after ${seconds(followed.ms)})`,
  );
  const finalTag = confirmed.headers.get('etag');
  const unchanged = await request(`${gw}/orders/${orderId}`, {
    token,
    headers: finalTag ? { 'if-none-match': finalTag } : {},
  });
  expect(unchanged.status === 304, `GET with the current ETag answered ${unchanged.status}`);
  out(
    `   GET /orders/${orderId} with If-None-Match: ${finalTag} -> ${unchanged.status} Not Modified (no body)`,
  );
  const retry = await request(`${gw}/orders`, {
    method: 'POST',
    token,
    body: { items },
    headers: { 'idempotency-key': key },
  });
  out(
    `   the same POST again (same key) -> ${retry.status}: order ${retry.body?.id}, ${retry.body?.status} (${retry.body?.id === orderId ? 'the same order, not a second one' : 'a DIFFERENT order?!'}; Idempotent-Replayed: ${retry.headers.get('idempotent-replayed') ?? '-'})`,
  );
  expect(retry.body?.id === orderId, 'the retried order created a second order');

  step('4. An order for more than the stock: rejected by the event flow');
  // The product with the least stock, one more than there is (lines of at most 100 each).
  const scarce = products.reduce((a, b) => (b.stock < a.stock ? b : a));
  const wanted = scarce.stock + 1;
  const lines = Array.from({ length: Math.ceil(wanted / 100) }, (_, i) => ({
    productId: scarce.id,
    quantity: Math.min(100, wanted - i * 100),
  }));
  const tooMany = await placeOrder(token, lines);
  out(
    `   POST /orders for ${wanted} x ${scarce.name} (${scarce.stock} in stock) -> ${tooMany.status} ${tooMany.body.status}: orders does not know the stock, the catalog decides`,
  );
  const refused = await followOrder(gw, token, tooMany.body.id);
  expect(
    refused.final.body.status === 'rejected',
    `the order for too many items became ${refused.final.body.status}`,
  );
  out(
    `   polling: ${runs(refused.seen)}; pending -> rejected ${settledIn(refused.final.body)} after it was placed`,
  );
  out(`   rejectionReason: ${refused.final.body.rejectionReason}`);
  const stockNow = await request(`${gw}/products/${scarce.id}`, { token });
  expect(
    stockNow.body?.stock === scarce.stock,
    `the rejected order changed the stock of ${scarce.id}: ${scarce.stock} -> ${stockNow.body?.stock}`,
  );
  out(`   GET /products/${scarce.id} -> stock ${stockNow.body.stock}: nothing was reserved`);

  step('5. The rate limit (per principal)');
  const bob = await signIn('bob');
  const bobToken = bob.body.access_token as string;
  let limited: Reply | undefined;
  let allowed = 0;
  for (let i = 0; i < 500 && !limited; i++) {
    const r = await request(`${gw}/products`, { token: bobToken });
    if (r.status === 429) limited = r;
    else allowed++;
  }
  if (limited) {
    // GCRA: a burst of q, refilled continuously (one request every w/q seconds).
    const policy = /q=(\d+);w=(\d+)/.exec(limited.headers.get('ratelimit-policy') ?? '');
    const refill =
      policy && allowed > Number(policy[1])
        ? ` (a burst of ${policy[1]}, refilled continuously: one more every ${(Number(policy[2]) / Number(policy[1])).toFixed(1)} s)`
        : '';
    out(
      `   bob: ${allowed} requests allowed${refill}, then ${limited.status} ${limited.body?.title ?? ''}`,
    );
    out(
      `   RateLimit: ${limited.headers.get('ratelimit') ?? '-'}  RateLimit-Policy: ${limited.headers.get('ratelimit-policy') ?? '-'}  Retry-After: ${limited.headers.get('retry-after') ?? '-'}`,
    );
    const aliceStill = await request(`${gw}/products`, { token });
    out(`   alice meanwhile -> ${aliceStill.status} (each principal has its own budget)`);
  } else {
    out(`   bob made ${allowed} requests without being limited (is the limit set very high?)`);
  }

  step('6. The catalog dies (SIGKILL) while orders keep coming');
  const catalog = storefront.supervisor.get('catalog');
  // SIGKILL loses what the catalog has not exported yet: let the first order's spans (the
  // catalog's consumer and relay) reach the trace file first.
  await until(async () => {
    const spans = readSpans(traceFile, trace.traceId);
    return spans.some((s) => s.service === 'catalog' && s.name.startsWith('relay ')) || undefined;
  }, 30_000);
  await catalog.kill();
  out('   catalog killed (SIGKILL)');
  // Carol browses: her own rate-limit budget, so alice's stays for the orders below.
  const carol = (await signIn('carol')).body.access_token as string;
  // The first calls fail on the network (502); once enough of them failed, the breaker
  // opens and the gateway answers 503 at once, without calling the catalog at all.
  const failures: Reply[] = [];
  for (let i = 0; i < 75 && failures.at(-1)?.status !== 503; i++) {
    failures.push(await request(`${gw}/products`, { token: carol }));
  }
  const show = (r: Reply, i: number) =>
    out(
      `   carol: GET /products #${i + 1} -> ${r.status} ${r.body?.title ?? ''} in ${r.ms.toFixed(1)} ms${r.headers.get('retry-after') ? ` (Retry-After: ${r.headers.get('retry-after')})` : ''}`,
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
  for (let i = 0; i < 5; i++) fast.push(await request(`${gw}/products`, { token: carol }));
  out(
    `   the breaker is open: 5 more calls answered ${[...new Set(fast.map((r) => r.status))].join('/')} in at most ${Math.max(...fast.map((r) => r.ms)).toFixed(1)} ms each, without waiting on the catalog`,
  );
  // Orders are still accepted: orders prices them from the last known prices (these products
  // were priced in step 3), and order.placed waits in orders' outbox.
  const during: Reply[] = [];
  for (let i = 0; i < 3; i++) {
    during.push(await placeOrder(token, [{ productId: products[i % 2]!.id, quantity: 1 }]));
  }
  out(
    `   alice: 3 x POST /orders -> ${[...new Set(during.map((r) => r.status))].join('/')} ${[...new Set(during.map((r) => r.body.status))].join('/')} (priced from the last known prices; order.placed waits in orders' outbox)`,
  );
  const waiting = during[0]!;
  const first = await request(`${gw}/orders/${waiting.body.id}`, { token });
  const waitingTag = first.headers.get('etag') ?? '';
  const still = await request(`${gw}/orders/${waiting.body.id}`, {
    token,
    headers: { 'if-none-match': waitingTag },
  });
  out(
    `   GET /orders/${waiting.body.id} -> ${first.status} ${first.body?.status}; again with If-None-Match -> ${still.status} (nobody can reserve the stock)`,
  );
  expect(
    first.body?.status === 'pending' && still.status === 304,
    `an order placed without the catalog is ${first.body?.status} (then ${still.status})`,
  );

  catalog.start();
  const restartedAt = performance.now();
  // Alice keeps polling (If-None-Match) while the catalog starts and the waiting events go out.
  const following = followOrder(gw, token, waiting.body.id, { etag: waitingTag });
  following.catch(() => {}); // awaited below; this only keeps a failure from going unhandled
  await catalog.waitUntilReady(60_000);
  out(`   catalog restarted (ready in ${seconds(performance.now() - restartedAt)})`);
  const recovered = await until(
    async () => {
      const r = await request(`${gw}/products`, { token: carol });
      return r.status === 200 ? r : undefined;
    },
    60_000,
    { firstMs: 200, maxMs: 1_000 },
  );
  expect(recovered !== undefined, 'the gateway did not recover after the catalog came back');
  out(
    `   carol: GET /products -> ${recovered!.status}: the breaker let a trial request through and closed`,
  );
  const caughtUp = await following;
  const rest = await Promise.all(during.slice(1).map((r) => followOrder(gw, token, r.body.id)));
  const finals = [caughtUp, ...rest].map((f) => f.final.body.status as string);
  expect(
    finals.every((s) => s === 'confirmed'),
    `the orders placed during the outage became ${finals.join(', ')}`,
  );
  out(
    `   alice, polling ${waiting.body.id} with If-None-Match since the restart: ${runs(caughtUp.seen)} (after ${seconds(caughtUp.ms)})`,
  );
  out(
    `   the waiting events were delivered: all ${finals.length} orders placed during the outage are confirmed`,
  );

  step('7. The order history: a read model built from the events, and its rebuild');
  const mine = await request(`${gw}/orders`, { token });
  expect(mine.status === 200, `GET /orders answered ${mine.status}`);
  const count = (mine.body.orders as unknown[]).length;
  // The projection follows the event log a moment behind the orders: wait until it saw them all.
  const history = await until(
    async () => {
      const r = await request(`${gw}/order-history`, { token });
      return r.status === 200 &&
        r.body.totals.all.count === count &&
        r.body.totals.pending.count === 0
        ? r
        : undefined;
    },
    60_000,
    { firstMs: 100, maxMs: 1_000 },
  );
  expect(history !== undefined, `the order history did not catch up with alice's ${count} orders`);
  const totals = history!.body.totals as Record<string, { count: number; totalCents: number }>;
  const describeTotals = (t: typeof totals) =>
    ['confirmed', 'rejected', 'pending']
      .map((status) => `${t[status]!.count} ${status} ${eur(t[status]!.totalCents)}`)
      .join(', ');
  out(
    `   GET /order-history (alice) -> ${history!.status}: ${count} orders: ${describeTotals(totals)}`,
  );
  const notAdmin = await request(`${gw}/admin/order-history/rebuild`, { method: 'POST', token });
  out(
    `   alice: POST /admin/order-history/rebuild -> ${notAdmin.status} ${notAdmin.body?.title ?? ''}`,
  );
  expect(notAdmin.status === 403, `a customer's rebuild answered ${notAdmin.status}`);
  const admin = await signIn('admin');
  out(`   POST /token as admin -> ${admin.status}; scopes: ${admin.body.scope}`);
  const rebuild = await request(`${gw}/admin/order-history/rebuild`, {
    method: 'POST',
    token: admin.body.access_token,
  });
  expect(
    rebuild.status === 200,
    `the rebuild answered ${rebuild.status}: ${JSON.stringify(rebuild.body)}`,
  );
  out(
    `   admin: POST /admin/order-history/rebuild -> ${rebuild.status}: generation ${rebuild.body.previousGeneration} -> ${rebuild.body.generation}, replayed from the event log, ${rebuild.body.behind} events behind (${rebuild.ms.toFixed(1)} ms)`,
  );
  const rebuilt = await request(`${gw}/order-history`, { token });
  const same = JSON.stringify(rebuilt.body?.totals) === JSON.stringify(totals);
  expect(same, `the rebuilt order history differs: ${JSON.stringify(rebuilt.body?.totals)}`);
  out(
    `   GET /order-history again -> ${rebuilt.status}: ${describeTotals(rebuilt.body.totals)} (the same totals)`,
  );

  step('8. Where to look: the trace of the first order, across HTTP and messaging');
  out(`   The order's trace id: ${trace.traceId}`);
  // Each service exports its spans on its own schedule: wait until the status update's chain
  // reaches the gateway's request.
  const spans = await until(
    async () => {
      const found = readSpans(traceFile, trace.traceId);
      return settleChain(found)[0] === 'gateway: POST /orders' ? found : undefined;
    },
    30_000,
    { firstMs: 200, maxMs: 1_000 },
  );
  expect(
    spans !== undefined,
    `the spans of trace ${trace.traceId} did not reach ${traceFile} (from the request to the status update)`,
  );
  out('   its spans (from the file exporter):');
  for (const line of traceTree(spans!)) out(line);
  const root = spans!.find((s) => s.name === 'POST /orders' && s.service === 'gateway')!;
  const settle = spans!.find((s) => s.name === 'orders settle order')!;
  const end = (settle.startTimeMs ?? 0) + (settle.durationMs ?? 0);
  out(
    `   one trace id from the client's request to the status update (${seconds(end - (root.startTimeMs ?? 0))}):`,
  );
  out(
    "   HTTP (gateway -> orders), orders' transaction and relay, the catalog's consumer and relay, orders' consumer",
  );
}
