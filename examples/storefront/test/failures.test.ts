/**
 * Failures on a system of its own (these tests kill and restart services): a dead catalog
 * behind the gateway's breaker, its recovery, and SIGTERM during a burst.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startTestSystem, type TestSystem, waitFor } from './harness.js';

describe('the storefront when things break', () => {
  let system: TestSystem;
  let gw: string;
  let token: string;

  beforeAll(async () => {
    system = await startTestSystem({
      env: { RATE_LIMIT: '100000', OTEL_TRACES_EXPORTER: 'none' },
    });
    gw = system.urls.gateway;
    token = await system.token('alice');
  }, 90_000);

  afterAll(async () => {
    await system?.stop();
  }, 30_000);

  const order = () =>
    call(`${gw}/orders`, {
      token,
      body: { items: [{ productId: 'p-1001', quantity: 1 }] },
      headers: { 'idempotency-key': randomUUID() },
    });

  it('answers 503 problem+json fast once the catalog is dead, and recovers when it is back', async () => {
    const before = await call(`${gw}/products`, { token });
    expect(before.status, before.text).toBe(200);
    await system.supervisor.get('catalog').kill();

    // The first calls fail on the network (502 problem+json, fast: connection refused); once
    // the failure rate crosses the threshold the breaker opens and answers 503 without calling.
    const replies: Awaited<ReturnType<typeof call>>[] = [];
    const deadline = Date.now() + 20_000;
    while (replies.at(-1)?.status !== 503 && Date.now() < deadline) {
      replies.push(await call(`${gw}/products`, { token }));
    }
    for (const reply of replies) {
      expect([502, 503]).toContain(reply.status);
      expect(reply.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect(replies.at(-1)!.status).toBe(503);
    expect(replies.at(-1)!.headers.get('retry-after')).toMatch(/^\d+$/);
    // While it is open, every call is answered at once: a generous bound, measured.
    const open = [];
    for (let i = 0; i < 10; i++) open.push(await call(`${gw}/products`, { token }));
    expect(open.map((r) => r.status)).toEqual(open.map(() => 503));
    expect(Math.max(...open.map((r) => r.ms))).toBeLessThan(1_000);

    // Orders need the catalog for prices: they fail fast too (502/503), and create nothing.
    const failed = await order();
    expect([502, 503]).toContain(failed.status);
    expect(failed.ms).toBeLessThan(5_000);

    await system.restart('catalog');
    await waitFor(async () => (await call(`${gw}/products`, { token })).status === 200, {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'the gateway to reach the restarted catalog (breaker closed again)',
    });
    await waitFor(async () => (await order()).status === 201, {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'orders to succeed again',
    });

    // The gateway logged the breaker's round trip, and its metrics counted it.
    const transitions = system.supervisor
      .get('gateway')
      .jsonLines()
      .filter((l) => l.upstream === 'catalog' && typeof l.to === 'string')
      .map((l) => l.to);
    expect(transitions).toContain('open');
    expect(transitions.at(-1)).toBe('closed');
    const metrics = (await call(system.supervisor.get('gateway').metricsUrl)).text;
    expect(metrics).toMatch(/^milkyway_breaker_transitions\S*\{[^}]*\} [1-9]/m);
    expect(metrics).toMatch(/^milkyway_breaker_rejections\S*\{[^}]*\} [1-9]/m);
  }, 60_000);

  describe('SIGTERM during a burst', () => {
    // A slow catalog keeps a burst in flight long enough for the signal to arrive mid-way.
    beforeAll(async () => {
      const catalog = system.supervisor.get('catalog');
      catalog.spec.env = { ...catalog.spec.env, CATALOG_LATENCY_MS: '400' };
      await system.restart('catalog');
    }, 60_000);

    afterAll(async () => {
      const catalog = system.supervisor.get('catalog');
      catalog.spec.env = { ...catalog.spec.env, CATALOG_LATENCY_MS: undefined };
      await system.restart('catalog');
    }, 60_000);

    /** In-flight requests of a service, read from its Prometheus endpoint (admin listener). */
    const activeRequests = async (name: string) => {
      const text = (await call(system.supervisor.get(name).metricsUrl)).text;
      let sum = 0;
      for (const [, value] of text.matchAll(/^http_server_active_requests(?:\{[^}]*\})? (\d+)/gm)) {
        sum += Number(value);
      }
      return sum;
    };

    it('the gateway finishes every request it accepted before exiting', async () => {
      const gateway = system.supervisor.get('gateway');
      const burst = Array.from({ length: 20 }, (_, i) =>
        call(`${gw}/products/p-100${(i % 6) + 1}`, {
          token,
          headers: { 'cache-control': 'no-cache' },
        }),
      );
      await waitFor(async () => (await activeRequests('gateway')) >= 20, {
        timeoutMs: 10_000,
        what: 'the gateway to hold the whole burst',
      });
      const exit = gateway.stop('SIGTERM', 15_000);
      const replies = await Promise.all(burst);
      expect(
        replies.map((r) => r.status),
        replies.map((r) => r.text).join('\n'),
      ).toEqual(replies.map(() => 200));
      expect(await exit).toBe(0);
      await system.restart('gateway');
    }, 60_000);

    it('orders finishes every order it accepted before exiting, and creates each once', async () => {
      const orders = system.supervisor.get('orders');
      const burst = Array.from({ length: 20 }, () => order());
      // Wait until the orders service is working on all of them (its log says so), not a sleep.
      const seen = orders.lines.length;
      await waitFor(
        () =>
          orders.lines.slice(seen).filter((line) => line.includes('placing order')).length >= 20,
        { timeoutMs: 10_000, what: 'orders to receive the whole burst' },
      );
      const exit = orders.stop('SIGTERM', 15_000);
      const replies = await Promise.all(burst);
      expect(
        replies.map((r) => r.status),
        replies.map((r) => r.text).join('\n'),
      ).toEqual(replies.map(() => 201));
      expect(await exit).toBe(0);
      expect(new Set(replies.map((r) => r.json.id)).size).toBe(20);

      await system.restart('orders');
      await waitFor(async () => (await order()).status === 201, {
        timeoutMs: 30_000,
        intervalMs: 200,
        what: 'orders to work after the restart',
      });
    }, 60_000);
  });
});
