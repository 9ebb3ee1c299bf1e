import { hc } from 'hono/client';
import { createMiddleware } from 'hono/factory';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import { createRouter, createService, HttpError, silentLogger } from '../src/index.js';

const Product = z.object({ id: z.string(), name: z.string(), priceCents: z.number().int() });

function build(options: { validationStatus?: 400 | 422 } = {}) {
  const service = createService({
    name: 'catalog',
    version: '1.0.0',
    logger: silentLogger,
    validation: { status: options.validationStatus ?? 400 },
  });
  const routes = service
    .get(
      '/products/:id',
      {
        params: z.object({ id: z.string().min(2) }),
        query: z.object({ currency: z.enum(['EUR', 'USD']).optional() }),
        responses: { 200: Product, 404: { description: 'no such product' } },
      },
      (c) => {
        const { id } = c.req.valid('param');
        if (id === 'missing') throw new HttpError(404, 'product not found');
        return c.json({ id, name: `Product ${id}`, priceCents: 100 }, 200);
      },
    )
    .post(
      '/products',
      {
        body: z.object({ name: z.string().min(1), priceCents: z.number().int().nonnegative() }),
        responses: { 201: Product },
      },
      (c) => {
        const body = c.req.valid('json');
        return c.json({ id: 'p-1', ...body }, 201);
      },
    );
  return { service, routes };
}

describe('typed routes', () => {
  it('passes validated, typed params to the handler', async () => {
    const { service } = build();
    const res = await service.request('/products/ab');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: 'ab', name: 'Product ab', priceCents: 100 });
  });

  it('infers handler input types from the schemas', () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    service.post(
      '/x/:id',
      {
        params: z.object({ id: z.coerce.number() }),
        query: z.object({ q: z.string() }),
        headers: z.object({ 'x-tenant': z.string() }),
        body: z.object({ n: z.number() }),
      },
      (c) => {
        expectTypeOf(c.req.valid('param')).toEqualTypeOf<{ id: number }>();
        expectTypeOf(c.req.valid('query')).toEqualTypeOf<{ q: string }>();
        expectTypeOf(c.req.valid('header')).toEqualTypeOf<{ 'x-tenant': string }>();
        expectTypeOf(c.req.valid('json')).toEqualTypeOf<{ n: number }>();
        expectTypeOf(c.var.requestId).toEqualTypeOf<string>();
        expectTypeOf(c.var.signal).toEqualTypeOf<AbortSignal>();
        return c.text('ok');
      },
    );
  });

  it('types the variables that route middleware declares', async () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    const auth = createMiddleware<{ Variables: { principal: { subject: string } } }>(
      async (c, next) => {
        c.set('principal', { subject: 'u-1' });
        await next();
      },
    );
    service.get(
      '/me',
      { responses: { 200: z.object({ subject: z.string(), requestId: z.string() }) } },
      auth,
      (c) => {
        expectTypeOf(c.var.principal).toEqualTypeOf<{ subject: string }>();
        return c.json({ subject: c.var.principal.subject, requestId: c.var.requestId }, 200);
      },
    );
    const res = await service.request('/me', { headers: { 'x-request-id': 'r' } });
    expect(await res.json()).toEqual({ subject: 'u-1', requestId: 'r' });
  });

  it('runs route middleware before validation', async () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    const guard = createMiddleware(async () => {
      throw new HttpError(401, 'missing token');
    });
    service.post('/guarded', { body: z.object({ n: z.number() }) }, guard, (c) => c.text('never'));
    const res = await service.request('/guarded', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'not json',
    });
    expect(res.status).toBe(401);
  });

  it('rejects a handler that returns an undeclared response shape (type-level)', () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    // @ts-expect-error: `name` and `priceCents` are missing from the declared 200 body
    service.get('/p', { responses: { 200: Product } }, (c) => c.json({ id: 'x' }, 200));
    // @ts-expect-error: 201 is not a declared status
    service.get('/q', { responses: { 200: Product } }, (c) =>
      c.json({ id: 'x', name: 'n', priceCents: 1 }, 201),
    );
    // the declared shape and status type-check
    service.get('/r', { responses: { 200: Product } }, (c) =>
      c.json({ id: 'x', name: 'n', priceCents: 1 }, 200),
    );
  });

  it('answers invalid params with a 400 problem listing path and message', async () => {
    const { service } = build();
    const res = await service.request('/products/a?currency=GBP');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = await res.json();
    expect(body).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400 });
    expect(body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'params.id',
      'query.currency',
    ]);
    expect(JSON.stringify(body)).not.toContain('GBP');
  });

  it('uses 422 for validation failures when configured', async () => {
    const { service } = build({ validationStatus: 422 });
    const res = await service.request('/products/a');
    expect(res.status).toBe(422);
    expect((await res.json()).title).toBe('Unprocessable Content');
  });

  it('never echoes a rejected body value', async () => {
    const { service } = build();
    const res = await service.request('/products', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x', priceCents: 'hunter2-secret' }),
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text).not.toContain('hunter2');
    expect(JSON.parse(text).errors).toEqual([
      { path: 'body.priceCents', message: expect.any(String) },
    ]);
  });

  it('answers malformed JSON with 400', async () => {
    const { service } = build();
    const res = await service.request('/products', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).detail).toBe('Malformed JSON in request body.');
  });

  it('answers a non-JSON body with 415', async () => {
    const { service } = build();
    const res = await service.request('/products', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'name=x',
    });
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers a missing body with 400', async () => {
    const { service } = build();
    const res = await service.request('/products', { method: 'POST' });
    expect(res.status).toBe(400);
  });

  it('renders a thrown HttpError as its status', async () => {
    const { service } = build();
    const res = await service.request('/products/missing');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({
      status: 404,
      title: 'Not Found',
      detail: 'product not found',
    });
  });

  it('accepts form bodies on form routes', async () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    service.post('/form', { form: z.object({ name: z.string() }) }, (c) =>
      c.text(c.req.valid('form').name),
    );
    const res = await service.request('/form', {
      method: 'POST',
      body: new URLSearchParams({ name: 'ada' }),
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ada');
  });

  it('mounts a router under a version prefix', async () => {
    const v1 = createRouter().get(
      '/ping',
      { responses: { 200: z.object({ pong: z.boolean() }) } },
      (c) => c.json({ pong: true }, 200),
    );
    const service = createService({ name: 't', version: '0', logger: silentLogger }).route(
      '/v1',
      v1,
    );
    const res = await service.request('/v1/ping');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ pong: true });
  });

  it('gives a typed client through hc', async () => {
    const { routes } = build();
    const client = hc<typeof routes>('http://local', {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => routes.request(input, init),
    });
    const res = await client.products[':id'].$get({ param: { id: 'ab' }, query: {} });
    if (res.status === 200) {
      const product = await res.json();
      expectTypeOf(product).toEqualTypeOf<{ id: string; name: string; priceCents: number }>();
      expect(product.name).toBe('Product ab');
    } else {
      expect.fail(`unexpected status ${res.status}`);
    }
    const created = await client.products.$post({ json: { name: 'lamp', priceCents: 5 } });
    expect(created.status).toBe(201);
  });

  it('gives a typed client for routes mounted under a prefix', async () => {
    const v1 = createRouter().get(
      '/items/:id',
      {
        params: z.object({ id: z.string() }),
        responses: { 200: z.object({ id: z.string(), v: z.literal(1) }) },
      },
      (c) => c.json({ id: c.req.valid('param').id, v: 1 as const }, 200),
    );
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    const api = service.route('/v1', v1);
    const client = hc<typeof api>('http://local', {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => service.request(input, init),
    });
    const res = await client.v1.items[':id'].$get({ param: { id: 'i-1' } });
    expect(res.status).toBe(200);
    if (res.status === 200) {
      const body = await res.json();
      expectTypeOf(body).toEqualTypeOf<{ id: string; v: 1 }>();
      expect(body).toEqual({ id: 'i-1', v: 1 });
    }
  });
});
