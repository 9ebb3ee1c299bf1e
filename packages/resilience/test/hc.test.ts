import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { hc } from 'hono/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpClient } from '../src/http.js';

let calls = 0;
const routes = new Hono()
  .get('/products/:id', (c) => {
    calls++;
    if (calls === 1) return c.json({ error: 'warming up' }, 503);
    return c.json({ id: c.req.param('id'), deadline: c.req.header('x-deadline-ms') ?? null }, 200);
  })
  .get('/missing', (c) => c.json({ error: 'nope' }, 404));

let server: ReturnType<typeof serve>;
let base = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => {
    server = serve({ fetch: routes.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      base = `http://127.0.0.1:${info.port}`;
      resolve();
    });
  });
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe("the client as Hono hc's fetch", () => {
  it('retries, propagates the deadline and returns typed JSON', async () => {
    const client = httpClient({ retry: { baseDelayMs: 0 }, propagateDeadline: [base] });
    const api = hc<typeof routes>(base, {
      fetch: client.with({ deadline: Date.now() + 2_000 }).fetch,
    });
    const res = await api.products[':id'].$get({ param: { id: 'p1' } });
    if (res.status !== 200) throw new Error(`unexpected ${res.status}`);
    const body = await res.json();
    expect(body.id).toBe('p1');
    expect(Number(body.deadline)).toBeGreaterThan(0);
    expect(calls).toBe(2);
  });

  it('hands non-2xx answers back to hc as responses', async () => {
    const api = hc<typeof routes>(base, { fetch: httpClient().fetch });
    const res = await api.missing.$get();
    expect(res.status).toBe(404);
    expect(res.ok).toBe(false);
  });
});
