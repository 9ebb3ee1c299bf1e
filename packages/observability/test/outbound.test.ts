import { tracedFetch, tracing, tracingInterceptor } from '@milkyway/observability';
import { setupTelemetry, type Telemetry } from '@milkyway/observability/setup';
import type { FetchInterceptor } from '@milkyway/protocol';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Hono } from 'hono';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
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

describe('a call chain across two real services', () => {
  let catalog: Awaited<ReturnType<typeof listen>>;
  let orders: Awaited<ReturnType<typeof listen>>;
  const seen: Record<string, string | null> = {};

  beforeAll(async () => {
    const b = new Hono();
    b.use(tracing());
    b.get('/products/:id', (c) => {
      seen.traceparent = c.req.header('traceparent') ?? null;
      return c.json({ id: c.req.param('id'), name: 'lamp' });
    });
    catalog = await listen(b);

    const a = new Hono();
    a.use(tracing());
    const fetch = tracedFetch();
    a.get('/orders/:id', async (c) => {
      const product = await fetch(`${catalog.url}/products/p-${c.req.param('id')}`);
      return c.json({ order: c.req.param('id'), product: await product.json() });
    });
    orders = await listen(a);
  });
  afterAll(async () => {
    await orders.close();
    await catalog.close();
  });

  async function callChain() {
    const response = await fetch(`${orders.url}/orders/9`);
    expect(response.status).toBe(200);
    await response.json();
    const spans = finished();
    const byName = (name: string) => spans.find((s) => s.name === name)!;
    return {
      response,
      spans,
      server: byName('GET /orders/:id'),
      client: byName('GET'),
      downstream: byName('GET /products/:id'),
    };
  }

  it('is one trace: orders SERVER -> orders CLIENT -> catalog SERVER', async () => {
    const { spans, server, client, downstream } = await callChain();
    expect(spans).toHaveLength(3);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(server.kind).toBe(SpanKind.SERVER);
    expect(client.kind).toBe(SpanKind.CLIENT);
    expect(downstream.kind).toBe(SpanKind.SERVER);
    expect(client.parentSpanContext?.spanId).toBe(server.spanContext().spanId);
    expect(downstream.parentSpanContext?.spanId).toBe(client.spanContext().spanId);
    expect(server.parentSpanContext).toBeUndefined();
  });

  it('injects the client span as the traceparent of the outgoing request', async () => {
    const { client } = await callChain();
    const { traceId, spanId } = client.spanContext();
    // Sampled (01) and, the trace being started here with random ids, random (02).
    expect(seen.traceparent).toBe(`00-${traceId}-${spanId}-03`);
  });

  it('gives the client span the HTTP client attributes', async () => {
    const { client } = await callChain();
    const port = Number(new URL(catalog.url).port);
    expect(client.attributes).toEqual({
      'http.request.method': 'GET',
      'url.full': `${catalog.url}/products/p-9`,
      'server.address': '127.0.0.1',
      'server.port': port,
      'http.response.status_code': 200,
    });
  });

  it('reads the server attributes of a request served by @hono/node-server', async () => {
    const { downstream } = await callChain();
    expect(downstream.attributes).toMatchObject({
      'server.address': '127.0.0.1',
      'server.port': Number(new URL(catalog.url).port),
      'url.path': '/products/p-9',
      'url.scheme': 'http',
      'user_agent.original': expect.any(String),
    });
  });

  it('echoes the trace id of the whole chain to the caller', async () => {
    const { response, server } = await callChain();
    expect(response.headers.get('x-trace-id')).toBe(server.spanContext().traceId);
  });
});

describe('tracingInterceptor()', () => {
  const ok: (request: Request) => Promise<Response> = async () => new Response('ok');

  it('adds http.request.resend_count to the span of a retry attempt', async () => {
    const intercept = tracingInterceptor();
    await intercept(new Request('http://svc.internal/x'), ok, { attempt: 0 });
    await intercept(new Request('http://svc.internal/x'), ok, { attempt: 2 });
    const [first, third] = finished();
    expect(first!.attributes['http.request.resend_count']).toBeUndefined();
    expect(third!.attributes['http.request.resend_count']).toBe(2);
  });

  it('creates one CLIENT span per attempt when a retrying client calls it per attempt', async () => {
    const intercept: FetchInterceptor = tracingInterceptor();
    let attempt = 0;
    const flaky = async () => new Response(null, { status: attempt++ < 2 ? 503 : 200 });
    for (let i = 0; i < 3; i++) {
      const response = await intercept(new Request('http://svc.internal/x'), flaky, {
        attempt: i,
      });
      if (response.ok) break;
    }
    expect(finished().map((s) => s.attributes['http.response.status_code'])).toEqual([
      503, 503, 200,
    ]);
  });

  it('marks a 4xx answer as an error on the client span', async () => {
    const intercept = tracingInterceptor();
    await intercept(
      new Request('http://svc.internal/x'),
      async () => new Response(null, { status: 404 }),
      {
        attempt: 0,
      },
    );
    const span = finished()[0]!;
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('404');
  });

  it('records a network error on the span and rethrows it', async () => {
    const intercept = tracingInterceptor();
    const refused = async () => {
      throw new TypeError('fetch failed');
    };
    await expect(
      intercept(new Request('http://svc.internal/x'), refused, { attempt: 0 }),
    ).rejects.toThrow('fetch failed');
    const span = finished()[0]!;
    expect(span.attributes['error.type']).toBe('TypeError');
    expect(span.events[0]!.name).toBe('exception');
  });

  it('defaults server.port to 443 for https', async () => {
    await tracingInterceptor()(new Request('https://svc.internal/x?q=1'), ok, { attempt: 0 });
    expect(finished()[0]!.attributes['server.port']).toBe(443);
  });

  it('redacts credentials from url.full', async () => {
    // The Fetch API refuses credentials in a Request URL; other Request-like objects may not.
    const requestLike = {
      url: 'https://user:pw@svc.internal/x',
      method: 'GET',
      headers: new Headers(),
    };
    await tracingInterceptor()(requestLike as Request, ok, { attempt: 0 });
    expect(finished()[0]!.attributes['url.full']).toBe('https://REDACTED:REDACTED@svc.internal/x');
  });

  it('keeps the body of a POST intact while injecting the headers', async () => {
    const intercept = tracingInterceptor();
    let received = '';
    let traceparent: string | null = null;
    await intercept(
      new Request('http://svc.internal/x', { method: 'POST', body: '{"a":1}' }),
      async (request) => {
        received = await request.text();
        traceparent = request.headers.get('traceparent');
        return new Response('ok');
      },
      { attempt: 0 },
    );
    expect(received).toBe('{"a":1}');
    expect(traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-03$/);
  });

  it('injects into a copy when the request headers are immutable', async () => {
    const intercept = tracingInterceptor();
    const original = new Request('http://svc.internal/x');
    original.headers.set = () => {
      throw new TypeError('immutable');
    };
    let sent: Request | undefined;
    await intercept(
      original,
      async (request) => {
        sent = request;
        return new Response('ok');
      },
      { attempt: 0 },
    );
    expect(sent).not.toBe(original);
    expect(sent!.headers.get('traceparent')).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-03$/);
  });
});
