import {
  createLogger,
  metrics,
  observability,
  requestLogger,
  tracedFetch,
  tracing,
  tracingInterceptor,
} from '@milkyway/observability';
import { context, trace } from '@opentelemetry/api';
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { lineCollector } from './helpers.js';

// No SDK is registered in this file: the middleware must behave as plain pass-throughs.

describe('without an OpenTelemetry SDK registered', () => {
  function app() {
    const a = new Hono();
    a.use(tracing());
    a.use(metrics());
    a.get('/products/:id', (c) => c.json({ id: c.req.param('id') }));
    return a;
  }

  it('tracing() and metrics() pass the request through unchanged', async () => {
    const response = await app().request('/products/1');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ id: '1' });
  });

  it('tracing() sends no trace id header, even with an inbound traceparent', async () => {
    const response = await app().request('/products/1', {
      headers: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
    });
    expect(response.headers.get('x-trace-id')).toBeNull();
  });

  it('tracing() makes no span active in the handler', async () => {
    let active: unknown = 'unset';
    const a = new Hono();
    a.use(tracing());
    a.get('/', (c) => {
      active = trace.getSpan(context.active());
      return c.text('ok');
    });
    await a.request('/');
    expect(active).toBeUndefined();
  });

  it('the interceptor adds no headers and returns the response', async () => {
    let headers: string[] = [];
    const response = await tracingInterceptor()(
      new Request('http://svc.internal/'),
      async (request) => {
        headers = [...request.headers.keys()];
        return new Response('ok');
      },
      { attempt: 0 },
    );
    expect(await response.text()).toBe('ok');
    expect(headers).toEqual([]);
  });

  it('tracedFetch() calls the wrapped fetch with the same request', async () => {
    const seen: string[] = [];
    const fetch = tracedFetch(async (input) => {
      seen.push((input as Request).url);
      return new Response('ok');
    });
    await fetch('http://svc.internal/a', { method: 'POST', body: 'x' });
    expect(seen).toEqual(['http://svc.internal/a']);
  });

  it('the logger writes lines without trace fields', async () => {
    const { lines, destination } = lineCollector();
    const a = new Hono();
    a.use(tracing());
    a.use(requestLogger({ logger: createLogger({ destination }) }));
    a.get('/', (c) => c.text('ok'));
    await a.request('/');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toHaveProperty('trace_id');
  });

  it('observability() only writes the access-log line, without trace fields', async () => {
    const { lines, destination } = lineCollector();
    const a = new Hono();
    a.use(observability({ logger: createLogger({ destination }) }));
    a.get('/', (c) => c.text('ok'));
    const response = await a.request('/');
    expect(response.headers.get('x-trace-id')).toBeNull();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ status: 200, msg: 'request completed' });
    expect(lines[0]).not.toHaveProperty('trace_id');
  });
});
