/**
 * The event flow, end to end on real processes: an order is placed pending, the catalog
 * reserves its stock from `order.placed`, and orders confirms or rejects it from the catalog's
 * answer. Observed through the public API, plus the services' own `/events` receivers for
 * duplicate deliveries (HTTP push). Defined once, run embedded (flow-events.test.ts: PGlite,
 * HTTP push) and on the real servers (flow-real.test.ts: PostgreSQL, NATS JetStream).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestSystem, type TestSystem, waitFor } from './harness.js';

/** Options of one run of the flow suite. */
export interface FlowSuiteOptions {
  env?: Record<string, string | undefined>;
  /** Whether the services talk HTTP push (their /events receivers exist). */
  httpPush: boolean;
}

export function flowSuite(title: string, options: FlowSuiteOptions) {
  describe(title, () => {
    let system: TestSystem;
    let gw: string;

    beforeAll(async () => {
      system = await startTestSystem({
        env: {
          RATE_LIMIT: '100000',
          OTEL_TRACES_EXPORTER: 'none',
          ORDER_HISTORY_POLL_MS: '50',
          ...options.env,
        },
      });
      gw = system.urls.gateway;
    }, 90_000);

    afterAll(async () => {
      await system?.stop();
    }, 30_000);

    /** The available stock of a product, read from the catalog (no cached copy). */
    const stockOf = async (id: string) => {
      const res = await call(`${system.urls.catalog}/products/${id}`, {
        headers: { 'cache-control': 'no-cache' },
      });
      expect(res.status).toBe(200);
      return res.json.stock as number;
    };

    const place = async (user: string, items: Array<{ productId: string; quantity: number }>) => {
      const res = await call(`${gw}/orders`, {
        token: await system.token(user),
        body: { items },
        headers: { 'idempotency-key': randomUUID() },
      });
      expect(res.status, res.text).toBe(201);
      expect(res.json.status).toBe('pending');
      return res.json as { id: string; totalCents: number; status: string };
    };

    /** Polls GET /orders/:id (on the orders service) until the order leaves `pending`. */
    const settled = async (user: string, id: string) =>
      waitFor(
        async () => {
          const res = await call(`${system.urls.orders}/orders/${id}`, {
            token: await system.token(user),
          });
          return res.status === 200 && res.json.status !== 'pending' ? res : undefined;
        },
        { timeoutMs: 20_000, intervalMs: 50, what: `order ${id} to be confirmed or rejected` },
      );

    it('confirms an order once the catalog reserved its stock, and the stock goes down', async () => {
      const before = await stockOf('p-1003');
      const order = await place('alice', [
        { productId: 'p-1003', quantity: 2 },
        { productId: 'p-1003', quantity: 1 },
      ]);
      const final = await settled('alice', order.id);
      expect(final.json).toMatchObject({ id: order.id, status: 'confirmed' });
      expect(final.json.rejectionReason).toBeUndefined();
      expect(await stockOf('p-1003')).toBe(before - 3);
      // The list shows the status too.
      const mine = await call(`${gw}/orders`, { token: await system.token('alice') });
      expect(mine.json.orders.find((o: { id: string }) => o.id === order.id).status).toBe(
        'confirmed',
      );
    });

    it('rejects an order for more than the stock, and reserves none of its lines', async () => {
      const [mugs, telescopes] = [await stockOf('p-1001'), await stockOf('p-1006')];
      const order = await place('alice', [
        { productId: 'p-1001', quantity: 1 },
        { productId: 'p-1006', quantity: telescopes + 1 },
      ]);
      const final = await settled('alice', order.id);
      expect(final.json.status).toBe('rejected');
      expect(final.json.rejectionReason).toMatch(/insufficient-stock: p-1006/);
      expect(await stockOf('p-1001')).toBe(mugs);
      expect(await stockOf('p-1006')).toBe(telescopes);
    });

    it('serves an order with an ETag and answers 304 to If-None-Match while it is unchanged', async () => {
      const order = await place('alice', [{ productId: 'p-1004', quantity: 1 }]);
      await settled('alice', order.id);
      const token = await system.token('alice');
      // On the orders service itself (the gateway's forwarding of it is the gateway's business).
      const first = await call(`${system.urls.orders}/orders/${order.id}`, { token });
      const etag = first.headers.get('etag');
      expect(etag).toMatch(/^"[^"]+"$/);
      const again = await call(`${system.urls.orders}/orders/${order.id}`, {
        token,
        headers: { 'if-none-match': etag! },
      });
      expect(again.status).toBe(304);
      expect(again.text).toBe('');
      const other = await call(`${system.urls.orders}/orders/${order.id}`, {
        token,
        headers: { 'if-none-match': '"something-else"' },
      });
      expect(other.status).toBe(200);
      expect(other.json.status).toBe('confirmed');
      // Someone else's order is a 404 (an ETag never leaks it).
      const bob = await call(`${system.urls.orders}/orders/${order.id}`, {
        token: await system.token('carol'),
      });
      expect(bob.status).toBe(404);
    });

    it('builds the order history with totals per status from the events, and rebuilds it equal', async () => {
      const user = 'erin';
      const token = await system.token(user);
      const a = await place(user, [{ productId: 'p-1002', quantity: 2 }]);
      const b = await place(user, [{ productId: 'p-1004', quantity: 3 }]);
      const c = await place(user, [{ productId: 'p-1005', quantity: 100 }]);
      for (const o of [a, b, c]) await settled(user, o.id);
      const expected = {
        customer: user,
        totals: {
          all: { count: 3, totalCents: a.totalCents + b.totalCents + c.totalCents },
          pending: { count: 0, totalCents: 0 },
          confirmed: { count: 2, totalCents: a.totalCents + b.totalCents },
          rejected: { count: 1, totalCents: c.totalCents },
        },
      };
      const live = await waitFor(
        async () => {
          const res = await call(`${system.urls.orders}/order-history`, { token });
          return res.status === 200 &&
            res.json.totals.pending.count === 0 &&
            res.json.totals.all.count === 3
            ? res.json
            : undefined;
        },
        { timeoutMs: 20_000, what: 'the order history to show the three settled orders' },
      );
      expect(live).toMatchObject(expected);
      expect(
        live.orders.map((o: { orderId: string; status: string }) => [o.orderId, o.status]).sort(),
      ).toEqual(
        [
          [a.id, 'confirmed'],
          [b.id, 'confirmed'],
          [c.id, 'rejected'],
        ].sort(),
      );

      // A customer may not rebuild it; an admin (scope orders:admin) may.
      const denied = await call(`${system.urls.orders}/admin/order-history/rebuild`, {
        method: 'POST',
        token,
      });
      expect(denied.status).toBe(403);
      const admin = await system.token('admin');
      const rebuilt = await call(`${system.urls.orders}/admin/order-history/rebuild`, {
        method: 'POST',
        token: admin,
      });
      expect(rebuilt.status, rebuilt.text).toBe(200);
      expect(rebuilt.json).toMatchObject({ projection: 'order-history', behind: 0 });
      expect(rebuilt.json.generation).toBe(rebuilt.json.previousGeneration + 1);
      const after = await call(`${system.urls.orders}/order-history`, { token });
      expect(after.json).toEqual(live);
    });

    it.runIf(options.httpPush)(
      'applies an event delivered twice once (the inbox), and refuses /events without the token',
      async () => {
        const before = await stockOf('p-1004');
        const orderId = `o-${randomUUID()}`;
        const event = {
          orderId,
          customer: 'frank',
          lines: [{ productId: 'p-1004', quantity: 2, unitPriceCents: 450 }],
          totalCents: 900,
          placedAt: new Date().toISOString(),
        };
        const post = (token?: string) =>
          call(`${system.urls.catalog}/events`, {
            body: event,
            headers: {
              ...(token ? { authorization: `Bearer ${token}` } : {}),
              'ce-specversion': '1.0',
              'ce-id': `${orderId}/placed`,
              'ce-source': '/orders',
              'ce-type': 'storefront.order.placed.v1',
              'ce-partitionkey': orderId,
            },
          });
        const anonymous = await post();
        expect(anonymous.status).toBe(401);
        const forged = await post('not-the-token');
        expect(forged.status).toBe(401);

        const token = system.specs.find((s) => s.name === 'catalog')!.env!.EVENTS_TOKEN!;
        const [first, second] = [await post(token), await post(token)];
        expect(first.status, first.text).toBe(204);
        expect(second.status, second.text).toBe(204);
        const third = await post(token);
        expect(third.status).toBe(204);
        expect(await stockOf('p-1004')).toBe(before - 2);

        // An event that fails its schema is dead-lettered (kept by the catalog), not retried.
        const poison = await call(`${system.urls.catalog}/events`, {
          body: { ...event, lines: [] },
          headers: {
            authorization: `Bearer ${token}`,
            'ce-specversion': '1.0',
            'ce-id': `${orderId}/poison`,
            'ce-source': '/orders',
            'ce-type': 'storefront.order.placed.v1',
          },
        });
        expect(poison.status, poison.text).toBe(422);
        expect(await stockOf('p-1004')).toBe(before - 2);

        // A real order's events delivered again change nothing either.
        const order = await place('frank', [{ productId: 'p-1004', quantity: 1 }]);
        await settled('frank', order.id);
        const stock = await stockOf('p-1004');
        const replay = await call(`${system.urls.orders}/events`, {
          body: {
            orderId: order.id,
            reason: 'insufficient-stock',
            productId: 'p-1004',
            requested: 1,
            available: 0,
          },
          headers: {
            authorization: `Bearer ${token}`,
            'ce-specversion': '1.0',
            'ce-id': `${order.id}/stock-rejected`,
            'ce-source': '/catalog',
            'ce-type': 'storefront.stock.rejected.v1',
            'ce-partitionkey': order.id,
          },
        });
        // A late contradicting answer for a settled order is acknowledged and ignored.
        expect(replay.status, replay.text).toBe(204);
        const final = await call(`${system.urls.orders}/orders/${order.id}`, {
          token: await system.token('frank'),
        });
        expect(final.json.status).toBe('confirmed');
        expect(await stockOf('p-1004')).toBe(stock);
      },
    );

    it.runIf(options.httpPush)(
      'skips an order.placed under a new event id for an order already answered (no failure, no dead letter, stock unchanged)',
      async () => {
        const order = await place('frank', [{ productId: 'p-1004', quantity: 1 }]);
        const first = await settled('frank', order.id);
        expect(first.json.status).toBe('confirmed');
        const stock = await stockOf('p-1004');
        const token = system.specs.find((s) => s.name === 'catalog')!.env!.EVENTS_TOKEN!;
        // Re-published by an operator / produced twice: same order, a new event id.
        for (const id of [randomUUID(), randomUUID()]) {
          const again = await call(`${system.urls.catalog}/events`, {
            body: {
              orderId: order.id,
              customer: 'frank',
              lines: [{ productId: 'p-1004', quantity: 1, unitPriceCents: 450 }],
              totalCents: 450,
              placedAt: new Date().toISOString(),
            },
            headers: {
              authorization: `Bearer ${token}`,
              'ce-specversion': '1.0',
              'ce-id': id,
              'ce-source': '/orders',
              'ce-type': 'storefront.order.placed.v1',
              'ce-partitionkey': order.id,
            },
          });
          // Handled (acknowledged) at once: not a failure to retry and dead-letter.
          expect(again.status, again.text).toBe(204);
        }
        expect(await stockOf('p-1004')).toBe(stock);
        const final = await call(`${system.urls.orders}/orders/${order.id}`, {
          token: await system.token('frank'),
        });
        expect(final.json.status).toBe('confirmed');
      },
    );

    it('keeps orders and idempotency records across a crash of orders (its own database)', async () => {
      const token = await system.token('carol');
      const key = randomUUID();
      const body = { items: [{ productId: 'p-1003', quantity: 1 }] };
      const post = () => call(`${gw}/orders`, { token, body, headers: { 'idempotency-key': key } });
      const first = await post();
      expect(first.status).toBe(201);
      await settled('carol', first.json.id);
      await system.supervisor.get('orders').kill();
      await system.restart('orders');
      const again = await post();
      expect(again.status).toBe(201);
      expect(again.json.id).toBe(first.json.id);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      const kept = await call(`${system.urls.orders}/orders/${first.json.id}`, { token });
      expect(kept.json.status).toBe('confirmed');
    }, 60_000);

    it('follows one order in one trace: request, transaction, relay, consumer, status update', async () => {
      const traceId = randomBytes(16).toString('hex');
      const res = await call(`${gw}/orders`, {
        token: await system.token('heidi'),
        body: { items: [{ productId: 'p-1001', quantity: 1 }] },
        headers: {
          'idempotency-key': randomUUID(),
          traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01`,
        },
      });
      expect(res.status).toBe(201);
      await settled('heidi', res.json.id);
      /** The status update's ancestors, root first, from the spans exported so far. */
      const ancestry = () => {
        const spans = system.spans().filter((s) => s.traceId === traceId);
        const byId = new Map(spans.map((s) => [s.spanId, s]));
        const chain: string[] = [];
        for (
          let span = spans.find((s) => s.name === 'orders settle order');
          span;
          span = span.parentSpanId ? byId.get(span.parentSpanId) : undefined
        ) {
          chain.unshift(`${span.service} ${span.name}`);
        }
        return chain;
      };
      // Each service exports its spans on its own schedule: wait until the chain reaches the
      // gateway's server span (the root of the request).
      const chain = await waitFor(
        () => {
          const found = ancestry();
          return found[0] === 'gateway POST /orders' ? found : undefined;
        },
        { timeoutMs: 20_000, what: 'the status update span to reach the request in the trace' },
      );
      expect(chain).toEqual([
        'gateway POST /orders',
        'gateway POST',
        'orders POST /orders',
        'orders orders place order',
        'orders relay storefront.order.placed.v1',
        'catalog process storefront.order.placed.v1',
        'catalog relay storefront.stock.reserved.v1',
        'orders process storefront.stock.reserved.v1',
        'orders orders settle order',
      ]);
    });

    it('serves every service its AsyncAPI document beside the OpenAPI one', async () => {
      const orders = await call(`${system.urls.orders}/asyncapi.json`);
      expect(orders.status).toBe(200);
      expect(orders.json.asyncapi).toBe('3.0.0');
      const catalog = await call(`${system.urls.catalog}/asyncapi.json`);
      expect(catalog.json.asyncapi).toBe('3.0.0');
      const channels = (doc: { channels: Record<string, { address: string }> }) =>
        Object.values(doc.channels)
          .map((c) => c.address)
          .sort();
      expect(channels(orders.json)).toEqual([
        'storefront.order.confirmed.v1',
        'storefront.order.placed.v1',
        'storefront.order.rejected.v1',
        'storefront.stock.rejected.v1',
        'storefront.stock.reserved.v1',
      ]);
      expect(channels(catalog.json)).toEqual([
        'storefront.order.placed.v1',
        'storefront.stock.rejected.v1',
        'storefront.stock.reserved.v1',
      ]);
    });

    it('accepts orders while the catalog is down (last known prices) and settles them when it is back', async () => {
      const token = await system.token('grace');
      // orders has priced p-1003 before (earlier tests); its last answer prices the new orders.
      const warmUp = await place('grace', [{ productId: 'p-1003', quantity: 1 }]);
      await settled('grace', warmUp.id);
      const before = await stockOf('p-1003');
      await system.supervisor.get('catalog').kill();
      const placed = [];
      for (let i = 0; i < 5; i++)
        placed.push(await place('grace', [{ productId: 'p-1003', quantity: 1 }]));
      // Nobody reserved their stock yet: they stay pending while the catalog is away.
      for (const o of placed) {
        const res = await call(`${system.urls.orders}/orders/${o.id}`, { token });
        expect(res.json.status).toBe('pending');
      }
      await system.restart('catalog');
      for (const o of placed) expect((await settled('grace', o.id)).json.status).toBe('confirmed');
      expect(await stockOf('p-1003')).toBe(before - placed.length);
    }, 60_000);
  });
}
