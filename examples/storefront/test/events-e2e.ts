/**
 * The event-driven storefront under faults (issue 17), end to end on real processes and observed
 * through the public API: a careful client places bursts of orders (one Idempotency-Key each,
 * retried until 201) while the test kills, restarts and cuts things; each test ends with the
 * run's invariant (faults/invariant.ts): every order final, each key one order, stock ==
 * initial − Σ confirmed, the read model in agreement. Defined once, run embedded
 * (events-embedded.test.ts: PGlite, HTTP push) and on the real servers
 * (events-services.test.ts: PostgreSQL through a cuttable proxy, a test-owned nats-server).
 */
import { randomBytes } from 'node:crypto';
import { connectNats } from '@milkyway/nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestNatsServer } from '../../../test-support/nats-server.js';
import { type Burst, type Client, createClient, startBurst } from './faults/burst.js';
import { checkInvariant, Ledger, readStock } from './faults/invariant.js';
import type { TcpProxy } from './faults/tcp-proxy.js';
import { call, startTestSystem, type TestSystem, waitFor } from './harness.js';

/** The servers a run uses (the services variant), and how to let them go. */
export interface E2eServers {
  env: Record<string, string>;
  /** Per-service environment (orders and catalog reach PostgreSQL through the proxy). */
  serviceEnv?: Record<string, Record<string, string>>;
  /** A test-owned nats-server (NATS restart test). */
  nats?: TestNatsServer;
  /** The proxy between the services and PostgreSQL (PostgreSQL unreachable test). */
  pgProxy?: TcpProxy;
  stop(): Promise<void>;
}

/** Options of one run of the suite. */
export interface EventsE2eOptions {
  /** HTTP push (POST /events between the services) or NATS JetStream. */
  transport: 'http' | 'nats';
  /** Starts the servers the run needs (none when embedded). */
  servers?: () => Promise<E2eServers>;
}

const BURST = 200;
const SMALL_BURST = 80;

export function eventsE2eSuite(title: string, options: EventsE2eOptions) {
  describe(title, () => {
    let servers: E2eServers | undefined;
    let system: TestSystem;
    let client: Client;
    let ledger: Ledger;
    let services: { orders: string; catalog: string };

    beforeAll(async () => {
      servers = await options.servers?.();
      system = await startTestSystem({
        env: { RATE_LIMIT: '1000000', ORDER_HISTORY_POLL_MS: '50', ...servers?.env },
        serviceEnv: servers?.serviceEnv,
      });
      client = createClient({ gateway: system.urls.gateway, identity: system.urls.identity });
      services = { orders: system.urls.orders, catalog: system.urls.catalog };
      ledger = new Ledger(await readStock(system.urls.catalog));
    }, 120_000);

    afterAll(async () => {
      try {
        await system?.stop();
      } finally {
        await servers?.stop();
      }
    }, 60_000);

    /** Runs a burst to its end (every order got its 201) and records it in the run's ledger. */
    const finish = async (burst: Burst) => {
      try {
        return await burst.done;
      } finally {
        // Even when the burst failed: the orders it did place stay in the run's invariant.
        ledger.add(burst.placedSoFar());
      }
    };
    const service = (name: string) => system.supervisor.get(name);
    const atLeast = (burst: { created(): number }, n: number, what: string) =>
      waitFor(() => burst.created() >= n, {
        timeoutMs: 60_000,
        what: `${n} orders of the burst to be accepted ${what} (accepted so far: ${burst.created()})`,
      });

    it('confirms an order from the event flow, and rejects one for more than the stock', async () => {
      const burst = startBurst(client, {
        count: 2,
        items: (i) =>
          i === 0
            ? [{ productId: 'p-1002', quantity: 2 }]
            : [
                { productId: 'p-1001', quantity: 1 },
                { productId: 'p-1006', quantity: 100 },
              ],
      });
      const [good, bad] = await finish(burst);
      const { orders } = await checkInvariant(client, services, ledger, { what: 'two orders' });
      const status = (id: string) => orders.find((o) => o.id === id)?.status;
      expect(status(good!.id)).toBe('confirmed');
      expect(status(bad!.id)).toBe('rejected');
      // The gateway serves the final order with its status and an ETag.
      const res = await call(`${system.urls.gateway}/orders/${bad!.id}`, {
        token: await client.token(bad!.customer),
      });
      expect(res.status).toBe(200);
      expect(res.json.rejectionReason).toMatch(/insufficient-stock: p-1006/);
    }, 180_000);

    it('applies duplicate deliveries once (each event re-delivered twice)', async () => {
      let capture: { stop(): Promise<void>; republish(): Promise<number> } | undefined;
      if (options.transport === 'nats') capture = await captureNatsEvents(system);
      const placed = await finish(startBurst(client, { count: 20 }));
      const before = await checkInvariant(client, services, ledger, { what: 'the originals' });
      let duplicates = 0;
      if (capture) {
        // Every event of those orders (order.placed, stock.*, order.confirmed/rejected) published
        // again twice on the stream, with new Nats-Msg-Ids so the broker's dedupe lets them in.
        duplicates = await capture.republish();
        await capture.stop();
        await jetStreamDrained(system);
      } else {
        const token = system.specs.find((s) => s.name === 'catalog')!.env!.EVENTS_TOKEN!;
        for (const order of placed) {
          const found = before.orders.find((o) => o.id === order.id)!;
          const full = await call(`${system.urls.gateway}/orders/${order.id}`, {
            token: await client.token(order.customer),
          });
          const placedEvent = {
            orderId: order.id,
            customer: order.customer,
            lines: full.json.items.map(
              (i: { productId: string; quantity: number; unitPriceCents: number }) => ({
                productId: i.productId,
                quantity: i.quantity,
                unitPriceCents: i.unitPriceCents,
              }),
            ),
            totalCents: full.json.totalCents,
            placedAt: full.json.createdAt,
          };
          const answer =
            found.status === 'confirmed'
              ? {
                  type: 'storefront.stock.reserved.v1',
                  id: `${order.id}/stock-reserved`,
                  data: {
                    orderId: order.id,
                    lines: placedEvent.lines.map(
                      ({ productId, quantity }: { productId: string; quantity: number }) => ({
                        productId,
                        quantity,
                      }),
                    ),
                  },
                }
              : {
                  type: 'storefront.stock.rejected.v1',
                  id: `${order.id}/stock-rejected`,
                  data: {
                    orderId: order.id,
                    reason: 'insufficient-stock',
                    productId: placedEvent.lines[0].productId,
                    requested: placedEvent.lines[0].quantity,
                    available: 0,
                  },
                };
          for (let copy = 0; copy < 2; copy++) {
            const toCatalog = await pushEvent(system.urls.catalog, token, {
              type: 'storefront.order.placed.v1',
              id: `${order.id}/placed`,
              source: '/orders',
              subject: order.id,
              data: placedEvent,
            });
            expect(toCatalog.status, toCatalog.text).toBe(204);
            const toOrders = await pushEvent(system.urls.orders, token, {
              ...answer,
              source: '/catalog',
              subject: order.id,
            });
            expect(toOrders.status, toOrders.text).toBe(204);
            duplicates += 2;
          }
        }
      }
      expect(duplicates).toBeGreaterThanOrEqual(placed.length * 2);
      const after = await checkInvariant(client, services, ledger, { what: 'the duplicates' });
      // Nothing changed: same statuses, same stock (checked by the invariant).
      expect(after.orders.map((o) => [o.id, o.status]).sort()).toEqual(
        before.orders.map((o) => [o.id, o.status]).sort(),
      );
    }, 180_000);

    it(`keeps every order when the catalog is SIGKILLed during a burst of ${BURST} and restarted`, async () => {
      const burst = startBurst(client, { count: BURST });
      await atLeast(burst, 40, 'before the kill');
      await service('catalog').kill();
      expect(service('catalog').running).toBe(false);
      // Orders are still accepted (pending) while the catalog is away.
      const whileDown = burst.created();
      await atLeast(burst, Math.min(BURST, whileDown + 20), 'while the catalog is down');
      // One accepted while the catalog is dead cannot be settled yet: the fault really bit.
      const late = burst.placedSoFar().at(-1)!;
      const seen = await call(`${system.urls.gateway}/orders/${late.id}`, {
        token: await client.token(late.customer),
      });
      expect(seen.json.status).toBe('pending');
      await system.restart('catalog');
      await finish(burst);
      await checkInvariant(client, services, ledger, { what: 'the catalog SIGKILL' });
    }, 180_000);

    it('keeps every order when orders (with its outbox relay) is SIGKILLed mid-burst and restarted', async () => {
      const burst = startBurst(client, { count: SMALL_BURST });
      await atLeast(burst, 30, 'before the kill');
      await service('orders').kill();
      await system.restart('orders');
      await finish(burst);
      await checkInvariant(client, services, ledger, { what: 'the orders SIGKILL' });
    }, 180_000);

    it.runIf(options.transport === 'nats')(
      'keeps every order when NATS is SIGKILLed during a burst and restarted',
      async () => {
        const nats = servers!.nats!;
        const burst = startBurst(client, { count: SMALL_BURST });
        await atLeast(burst, 20, 'before NATS goes');
        await nats.kill();
        // The outbox takes orders while the broker is away.
        await atLeast(burst, Math.min(SMALL_BURST, burst.created() + 10), 'while NATS is down');
        // One accepted while the broker is dead cannot be settled yet: the fault really bit.
        const late = burst.placedSoFar().at(-1)!;
        const seen = await call(`${system.urls.gateway}/orders/${late.id}`, {
          token: await client.token(late.customer),
        });
        expect(seen.json.status).toBe('pending');
        await nats.restart();
        await finish(burst);
        await checkInvariant(client, services, ledger, { what: 'the NATS restart' });
      },
      180_000,
    );

    it.runIf(options.transport === 'nats')(
      'keeps every order when PostgreSQL is unreachable for a moment during a burst',
      async () => {
        const proxy = servers!.pgProxy!;
        const burst = startBurst(client, { count: SMALL_BURST });
        await atLeast(burst, 20, 'before PostgreSQL goes');
        const retried = burst.retried();
        proxy.cut();
        try {
          // Until the cut bit: a request of the burst failed for it.
          await waitFor(() => burst.retried() > retried, {
            timeoutMs: 30_000,
            what: 'an order request to fail while PostgreSQL is unreachable',
          });
        } finally {
          proxy.restore();
        }
        expect(proxy.refused).toBeGreaterThan(0);
        await finish(burst);
        await checkInvariant(client, services, ledger, { what: 'the PostgreSQL cut' });
      },
      180_000,
    );

    it('loses nothing when every service gets SIGTERM during a burst, and resumes after the restart', async () => {
      const burst = startBurst(client, { count: SMALL_BURST });
      await atLeast(burst, 30, 'before the SIGTERM');
      const names = system.specs.map((s) => s.name);
      // A generous grace period: a busy machine is slow, not a reason to be killed.
      const codes = await Promise.all(names.map((name) => service(name).stop('SIGTERM', 30_000)));
      // Each one shut down gracefully (exit code 0, not killed after the grace period).
      expect(Object.fromEntries(names.map((n, i) => [n, codes[i]]))).toEqual(
        Object.fromEntries(names.map((n) => [n, 0])),
      );
      await Promise.all(names.map((name) => system.restart(name)));
      await finish(burst);
      // The system resumes: new orders after the restart are settled too.
      await finish(startBurst(client, { count: 10 }));
      await checkInvariant(client, services, ledger, { what: 'the SIGTERM of every service' });
    }, 180_000);

    it('follows one order in one trace: request, transaction, relay, consumer, status update', async () => {
      const traceId = randomBytes(16).toString('hex');
      const res = await call(`${system.urls.gateway}/orders`, {
        token: await client.token('heidi'),
        body: { items: [{ productId: 'p-1004', quantity: 1 }] },
        headers: {
          'idempotency-key': `trace-${traceId}`,
          traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
        },
      });
      expect(res.status, res.text).toBe(201);
      ledger.add([
        {
          key: `trace-${traceId}`,
          customer: 'heidi',
          items: [{ productId: 'p-1004', quantity: 1 }],
          id: res.json.id,
          attempts: 1,
        },
      ]);
      await checkInvariant(client, services, ledger, { what: 'the traced order' });
      const wanted = [
        'gateway POST /orders',
        'orders orders place order',
        'orders relay storefront.order.placed.v1',
        'catalog process storefront.order.placed.v1',
        'catalog relay storefront.stock.reserved.v1',
        'orders process storefront.stock.reserved.v1',
        'orders orders settle order',
      ];
      // Each service exports on its own schedule: wait until every step is in the file.
      const found = await waitFor(
        () => {
          const names = new Set(
            system
              .spans()
              .filter((s) => s.traceId === traceId)
              .map((s) => `${s.service} ${s.name}`),
          );
          return wanted.every((w) => names.has(w)) ? names : undefined;
        },
        { timeoutMs: 20_000, what: `the spans ${wanted.join(', ')} in trace ${traceId}` },
      );
      expect([...found]).toEqual(expect.arrayContaining(wanted));
    }, 180_000);

    it('rebuilds the order history from zero equal to the live one', async () => {
      await checkInvariant(client, services, ledger, { what: 'the whole run' });
      const customers = [...new Set(ledger.placed.map((o) => o.customer))];
      const history = async () => {
        const out: Record<string, unknown> = {};
        for (const c of customers) {
          const res = await call(`${services.orders}/order-history`, {
            token: await client.token(c),
          });
          expect(res.status).toBe(200);
          out[c] = res.json;
        }
        return out;
      };
      const live = await history();
      const rebuilt = await call(`${services.orders}/admin/order-history/rebuild`, {
        method: 'POST',
        token: await client.token('admin'),
        timeoutMs: 60_000,
      });
      expect(rebuilt.status, rebuilt.text).toBe(200);
      expect(rebuilt.json).toMatchObject({ behind: 0 });
      expect(rebuilt.json.generation).toBe(rebuilt.json.previousGeneration + 1);
      expect(await history()).toEqual(live);
    }, 180_000);
  });
}

/** POSTs one CloudEvent (binary mode) to a service's /events receiver. */
function pushEvent(
  base: string,
  token: string,
  event: { type: string; id: string; source: string; subject: string; data: unknown },
) {
  return call(`${base}/events`, {
    body: event.data,
    headers: {
      authorization: `Bearer ${token}`,
      'ce-specversion': '1.0',
      'ce-id': event.id,
      'ce-source': event.source,
      'ce-type': event.type,
      'ce-subject': event.subject,
      'ce-partitionkey': event.subject,
    },
  });
}

/** The run's NATS subject prefix and server URL. */
function natsOf(system: TestSystem) {
  const env = system.specs.find((s) => s.name === 'orders')!.env!;
  return { url: env.NATS_URL!, prefix: env.NATS_SUBJECT_PREFIX! };
}

/** Records every event the services publish on the run's subjects, to publish them again. */
async function captureNatsEvents(system: TestSystem) {
  const { url, prefix } = natsOf(system);
  const nc = await connectNats({ servers: url, name: 'e2e-duplicates' });
  const seen: Array<{ subject: string; data: Uint8Array; headers: NonNullable<unknown> }> = [];
  const sub = nc.subscribe(`${prefix}.>`, {
    callback: (_error, msg) => {
      if (msg.headers) seen.push({ subject: msg.subject, data: msg.data, headers: msg.headers });
    },
  });
  await nc.flush();
  return {
    async republish() {
      sub.unsubscribe();
      let count = 0;
      for (const { subject, data, headers } of seen) {
        for (let copy = 0; copy < 2; copy++) {
          const h = headers as { set(k: string, v: string): void };
          h.set('Nats-Msg-Id', `dup-${copy}-${randomBytes(6).toString('hex')}`);
          // A request to a stream subject is answered with JetStream's publish ack: stored.
          const ack = await nc.request(subject, data, { headers: h as never, timeout: 5_000 });
          expect(ack.json<{ error?: unknown }>().error).toBeUndefined();
          count++;
        }
      }
      return count;
    },
    async stop() {
      await nc.close();
    },
  };
}

/** Waits until every consumer of the run's streams has nothing pending and nothing unacked. */
async function jetStreamDrained(system: TestSystem) {
  const { url, prefix } = natsOf(system);
  const nc = await connectNats({ servers: url, name: 'e2e-drain' });
  const api = async <T>(subject: string, body: unknown = {}) =>
    (await nc.request(subject, JSON.stringify(body), { timeout: 5_000 })).json<T>();
  try {
    await waitFor(
      async () => {
        const { streams } = await api<{ streams: string[] | null }>('$JS.API.STREAM.NAMES', {
          subject: `${prefix}.>`,
        });
        for (const stream of streams ?? []) {
          const { consumers } = await api<{ consumers: string[] | null }>(
            `$JS.API.CONSUMER.NAMES.${stream}`,
          );
          for (const consumer of consumers ?? []) {
            const info = await api<{ num_pending: number; num_ack_pending: number }>(
              `$JS.API.CONSUMER.INFO.${stream}.${consumer}`,
            );
            if (info.num_pending > 0 || info.num_ack_pending > 0)
              throw new Error(
                `${stream}/${consumer}: ${info.num_pending} pending, ${info.num_ack_pending} unacked`,
              );
          }
        }
        return true;
      },
      { timeoutMs: 30_000, intervalMs: 100, what: 'the JetStream consumers to take every copy' },
    );
  } finally {
    await nc.close();
  }
}
