import { tracing } from '@milkyway/observability';
import { setupTelemetry, type Telemetry } from '@milkyway/observability/setup';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listen } from './helpers.js';

let telemetry: Telemetry;
beforeEach(() => {
  telemetry = setupTelemetry({
    serviceName: 'test',
    traces: 'memory',
    spanProcessor: 'simple',
    metrics: 'none',
  });
});
afterEach(() => telemetry.shutdown());

const finished = () => telemetry.spans!.getFinishedSpans();

function app() {
  const app = new Hono();
  app.use(tracing());
  app.get('/products/:id', (c) => c.json({ id: c.req.param('id') }));
  app.get('/missing', (c) => c.json({ title: 'not found' }, 404));
  app.get('/boom', () => {
    throw new TypeError('database unreachable');
  });
  app.get('/teapot', () => {
    throw new HTTPException(418, { message: 'short and stout' });
  });
  app.onError((error, c) =>
    error instanceof HTTPException ? error.getResponse() : c.text('internal error', 500),
  );
  const api = new Hono();
  api.get('/orders/:orderId/lines/:line', (c) => c.text('line'));
  app.route('/api', api);
  return app;
}

describe('tracing()', () => {
  it('creates one SERVER span per request named after the method and the route template', async () => {
    await app().request('http://shop.example/products/42');
    const spans = finished();
    expect(spans).toHaveLength(1);
    expect(spans[0]!.name).toBe('GET /products/:id');
    expect(spans[0]!.kind).toBe(SpanKind.SERVER);
  });

  it('sets the HTTP semantic-convention attributes', async () => {
    await app().request('https://shop.example:8443/products/42?x=1', {
      headers: { 'user-agent': 'vitest/4', host: 'shop.example:8443' },
    });
    expect(finished()[0]!.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/products/:id',
      'http.response.status_code': 200,
      'url.path': '/products/42',
      'url.scheme': 'https',
      'server.address': 'shop.example',
      'server.port': 8443,
      'user_agent.original': 'vitest/4',
    });
  });

  it('reads an IPv6 host without its brackets', async () => {
    await app().request('http://[::1]:8080/products/1', { headers: { host: '[::1]:8080' } });
    expect(finished()[0]!.attributes).toMatchObject({
      'server.address': '::1',
      'server.port': 8080,
    });
  });

  it('reports the full template of a route mounted from a sub-app', async () => {
    await app().request('/api/orders/7/lines/2');
    expect(finished()[0]!.name).toBe('GET /api/orders/:orderId/lines/:line');
    expect(finished()[0]!.attributes['http.route']).toBe('/api/orders/:orderId/lines/:line');
  });

  it('names the span after the method alone and omits http.route when no route matched', async () => {
    const response = await app().request('/no/such/path');
    expect(response.status).toBe(404);
    expect(finished()[0]!.name).toBe('GET');
    expect(finished()[0]!.attributes['http.route']).toBeUndefined();
    expect(finished()[0]!.attributes['http.response.status_code']).toBe(404);
  });

  it('reports the route a guard protected when the guard answered before the handler', async () => {
    const guarded = new Hono();
    guarded.use(tracing());
    guarded.use('/admin/*', async (c) => c.json({ title: 'unauthorized' }, 401));
    guarded.get('/admin/users/:id', (c) => c.text('secret'));
    await guarded.request('/admin/users/1');
    expect(finished()[0]!.name).toBe('GET /admin/users/:id');
  });

  it('leaves the status unset on a 4xx response', async () => {
    await app().request('/missing');
    const span = finished()[0]!;
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes['error.type']).toBeUndefined();
  });

  it('marks a 5xx as an error and records the exception that caused it', async () => {
    const response = await app().request('/boom');
    expect(response.status).toBe(500);
    const span = finished()[0]!;
    expect(span.status).toEqual({ code: SpanStatusCode.ERROR, message: 'database unreachable' });
    expect(span.attributes['error.type']).toBe('TypeError');
    expect(span.events.map((e) => e.name)).toEqual(['exception']);
    expect(span.events[0]!.attributes?.['exception.message']).toBe('database unreachable');
  });

  it('uses the status code as error.type for a 5xx returned without an exception', async () => {
    const a = new Hono();
    a.use(tracing());
    a.get('/down', (c) => c.text('down', 503));
    await a.request('/down');
    expect(finished()[0]!.attributes['error.type']).toBe('503');
    expect(finished()[0]!.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('does not record an exception for a thrown 4xx error', async () => {
    const response = await app().request('/teapot');
    expect(response.status).toBe(418);
    expect(finished()[0]!.events).toEqual([]);
    expect(finished()[0]!.status.code).toBe(SpanStatusCode.UNSET);
  });

  it('echoes the trace id in the x-trace-id response header', async () => {
    const response = await app().request('/products/1');
    expect(response.headers.get('x-trace-id')).toBe(finished()[0]!.spanContext().traceId);
  });

  it('echoes the trace id on a raw Response with immutable headers', async () => {
    const a = new Hono();
    a.use(tracing({ traceIdHeader: 'trace-id' }));
    a.get('/proxied', () => fetch('data:text/plain,hello'));
    const response = await a.request('/proxied');
    expect(await response.text()).toBe('hello');
    expect(response.headers.get('trace-id')).toBe(finished()[0]!.spanContext().traceId);
  });

  it('echoes the trace id over a real server, whatever Response the handler returns', async () => {
    const a = new Hono();
    a.use(tracing());
    a.get('/proxied', () => fetch('data:text/plain,hello'));
    const server = await listen(a);
    try {
      const response = await fetch(`${server.url}/proxied`);
      expect(await response.text()).toBe('hello');
      expect(response.headers.get('x-trace-id')).toBe(finished()[0]!.spanContext().traceId);
    } finally {
      await server.close();
    }
  });

  it('sends no trace id header when traceIdHeader is false', async () => {
    const a = new Hono();
    a.use(tracing({ traceIdHeader: false }));
    a.get('/', (c) => c.text('ok'));
    const response = await a.request('/');
    expect(response.headers.get('x-trace-id')).toBeNull();
  });

  it('makes the server span active in the handler', async () => {
    let active: string | undefined;
    const a = new Hono();
    a.use(tracing());
    a.get('/', async (c) => {
      await Promise.resolve();
      active = trace.getActiveSpan()?.spanContext().spanId;
      return c.text('ok');
    });
    await a.request('/');
    expect(active).toBe(finished()[0]!.spanContext().spanId);
  });

  it('continues the trace of a valid inbound traceparent', async () => {
    await app().request('/products/1', {
      headers: {
        traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
        tracestate: 'vendor=abc',
      },
    });
    const span = finished()[0]!;
    expect(span.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(span.parentSpanContext?.spanId).toBe('b7ad6b7169203331');
    expect(span.parentSpanContext?.isRemote).toBe(true);
    expect(span.spanContext().traceState?.get('vendor')).toBe('abc');
  });

  it('makes inbound baggage available to the handler', async () => {
    let tenant: string | undefined;
    const a = new Hono();
    a.use(tracing());
    a.get('/', (c) => {
      tenant = propagation.getBaggage(context.active())?.getEntry('tenant')?.value;
      return c.text('ok');
    });
    await a.request('/', { headers: { baggage: 'tenant=acme' } });
    expect(tenant).toBe('acme');
  });

  it('normalises an unknown method to _OTHER and keeps the original', async () => {
    const a = new Hono();
    a.use(tracing());
    a.on('PURGE', '/cache', (c) => c.text('purged'));
    await a.request('/cache', { method: 'PURGE' });
    const span = finished()[0]!;
    expect(span.name).toBe('HTTP /cache');
    expect(span.attributes['http.request.method']).toBe('_OTHER');
    expect(span.attributes['http.request.method_original']).toBe('PURGE');
  });

  it('creates no span for ignored requests', async () => {
    const a = new Hono();
    a.use(tracing({ ignore: (c) => c.req.path === '/healthz' }));
    a.get('/healthz', (c) => c.text('ok'));
    const response = await a.request('/healthz');
    expect(await response.text()).toBe('ok');
    expect(finished()).toEqual([]);
  });

  it('ends the span and rethrows when an error escapes without an error handler', async () => {
    const a = new Hono();
    const traced = tracing();
    const failing = async () => {
      throw new RangeError('escaped');
    };
    a.get('/', (c) => traced(c, failing));
    a.onError((error, c) => c.text(error.message, 500));
    const response = await a.request('/');
    expect(await response.text()).toBe('escaped');
    expect(finished()[0]!.attributes['error.type']).toBe('RangeError');
    expect(finished()[0]!.name).toBe('GET /');
    expect(finished()[0]!.status.code).toBe(SpanStatusCode.ERROR);
  });
});
