import { context, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { MiddlewareHandler } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestContextManager } from '../../../test-support/otel-context.js';
import { httpClient, proxy } from '../src/http.js';
import { app } from './hono-app.js';
import { faults, startUpstream } from './upstream.js';

// Issue 13 §7: a 5xx tells the client a generic detail; the specifics go to the log (tested in
// proxy-trust.test.ts) and to the request's span, where an operator looks for them.

describe('proxy: the specifics of an upstream failure are on the span', () => {
  const spans = new InMemorySpanExporter();
  beforeAll(() => {
    context.setGlobalContextManager(new TestContextManager());
    trace.setGlobalTracerProvider(
      new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }),
    );
  });
  afterAll(() => {
    trace.disable();
    context.disable();
  });

  /** Stands in for the tracing middleware: one active server span per request. */
  const traced: MiddlewareHandler = (_c, next) =>
    trace.getTracer('test').startActiveSpan('GET /api/catalog/*', async (span) => {
      try {
        await next();
      } finally {
        span.end();
      }
    });

  it('records the connection error (code and exception) while the client reads a generic 502', async () => {
    const upstream = await startUpstream(faults.json({ ok: true }));
    const client = httpClient({ baseUrl: upstream.url, name: 'catalog', retry: false });
    const hono = app();
    hono.use('/api/*', traced);
    hono.all('/api/catalog/*', proxy(client, { stripPrefix: '/api/catalog' }));
    await upstream.close();

    const res = await hono.request('/api/catalog/x');
    expect(res.status).toBe(502);
    expect(JSON.stringify(await res.json())).not.toMatch(/ECONNREFUSED/);

    const span = spans.getFinishedSpans().find((s) => s.name === 'GET /api/catalog/*');
    expect(span?.attributes['error.type']).toBe('ECONNREFUSED');
    expect(span?.events.map((e) => e.name)).toContain('exception');
  });
});
