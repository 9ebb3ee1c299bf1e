import { createLogger, requestLogger, tracing } from '@milkyway/observability';
import { setupTelemetry, type Telemetry } from '@milkyway/observability/setup';
import type { Logger } from '@milkyway/protocol';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { lineCollector, listen } from './helpers.js';

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

describe('createLogger()', () => {
  it('writes one JSON object per line with a level label and the message', () => {
    const { lines, destination } = lineCollector();
    createLogger({ destination, name: 'catalog', base: {} }).info({ sku: 'A1' }, 'stocked');
    expect(lines).toEqual([
      { level: 'info', time: expect.any(Number), name: 'catalog', sku: 'A1', msg: 'stocked' },
    ]);
  });

  it('drops lines below the configured level', () => {
    const { lines, destination } = lineCollector();
    const logger = createLogger({ destination, level: 'warn' });
    logger.info({}, 'quiet');
    logger.warn({}, 'loud');
    expect(lines.map((l) => l.msg)).toEqual(['loud']);
  });

  it('reads the level from LOG_LEVEL when none is given', () => {
    const before = process.env.LOG_LEVEL;
    process.env.LOG_LEVEL = 'debug';
    try {
      const { lines, destination } = lineCollector();
      createLogger({ destination }).debug({}, 'visible');
      expect(lines).toHaveLength(1);
    } finally {
      if (before === undefined) delete process.env.LOG_LEVEL;
      else process.env.LOG_LEVEL = before;
    }
  });

  it('adds no trace fields outside a span', () => {
    const { lines, destination } = lineCollector();
    createLogger({ destination }).info({ a: 1 }, 'outside');
    expect(lines[0]).not.toHaveProperty('trace_id');
    expect(lines[0]).toMatchObject({ a: 1 });
  });

  it('redacts authorization headers, cookies and API keys under the usual request shapes', () => {
    const { lines, destination } = lineCollector();
    createLogger({ destination }).info({
      req: {
        headers: {
          authorization: 'Bearer eyJhbGciOi',
          cookie: 'sid=abc',
          'x-api-key': 'k-123',
          accept: 'application/json',
        },
      },
      res: { headers: { 'set-cookie': 'sid=abc' } },
      headers: { 'proxy-authorization': 'Basic Zm9v' },
    });
    expect(lines[0]).toMatchObject({
      req: {
        headers: {
          authorization: '[REDACTED]',
          cookie: '[REDACTED]',
          'x-api-key': '[REDACTED]',
          accept: 'application/json',
        },
      },
      res: { headers: { 'set-cookie': '[REDACTED]' } },
      headers: { 'proxy-authorization': '[REDACTED]' },
    });
  });

  it('redacts tokens, passwords and secrets at the top level and one level down', () => {
    const { lines, destination } = lineCollector();
    createLogger({ destination }).info({
      token: 't',
      password: 'p',
      user: { name: 'ada', password: 'p', accessToken: 'a', refresh_token: 'r' },
      client: { clientSecret: 's', apiKey: 'k' },
    });
    expect(lines[0]).toMatchObject({
      token: '[REDACTED]',
      password: '[REDACTED]',
      user: {
        name: 'ada',
        password: '[REDACTED]',
        accessToken: '[REDACTED]',
        refresh_token: '[REDACTED]',
      },
      client: { clientSecret: '[REDACTED]', apiKey: '[REDACTED]' },
    });
  });

  it('redacts the configured secret paths with the configured censor', () => {
    const { lines, destination } = lineCollector();
    createLogger({ destination, redact: ['card.number', 'patient.ssn'], censor: '***' }).info({
      card: { number: '4242424242424242', brand: 'visa' },
      patient: { ssn: '078-05-1120' },
      token: 'x',
    });
    expect(lines[0]).toMatchObject({
      card: { number: '***', brand: 'visa' },
      patient: { ssn: '***' },
      token: '***',
    });
  });

  it('is a child-capable logger whose bindings appear on every line', () => {
    const { lines, destination } = lineCollector();
    createLogger({ destination }).child({ requestId: 'r-1' }).warn({}, 'child');
    expect(lines[0]).toMatchObject({ level: 'warn', requestId: 'r-1', msg: 'child' });
  });
});

describe('trace correlation', () => {
  it('adds trace_id, span_id and trace_flags of the request span to lines logged in a handler', async () => {
    const { lines, destination } = lineCollector();
    const logger = createLogger({ destination });
    const app = new Hono();
    app.use(tracing());
    app.get('/products/:id', async (c) => {
      await new Promise((resolve) => setImmediate(resolve));
      logger.info({ id: c.req.param('id') }, 'loading');
      return c.text('ok');
    });
    await app.request('/products/1');
    const span = telemetry.spans!.getFinishedSpans()[0]!;
    expect(lines[0]).toMatchObject({
      trace_id: span.spanContext().traceId,
      span_id: span.spanContext().spanId,
      trace_flags: '01',
      id: '1',
    });
  });

  it('can be switched off', async () => {
    const { lines, destination } = lineCollector();
    const logger = createLogger({ destination, traceCorrelation: false });
    const app = new Hono();
    app.use(tracing());
    app.get('/', (c) => {
      logger.info({}, 'no ids');
      return c.text('ok');
    });
    await app.request('/');
    expect(lines[0]).not.toHaveProperty('trace_id');
  });
});

describe('requestLogger()', () => {
  function app(destination: { write: (line: string) => void }) {
    const logger = createLogger({ destination, base: {} });
    const a = new Hono<{ Variables: { logger: Logger } }>();
    a.use(tracing());
    a.use(requestLogger({ logger }));
    a.get('/products/:id', (c) => {
      c.var.logger.info({}, 'inside');
      return c.json({ id: c.req.param('id') });
    });
    a.get('/missing', (c) => c.text('no', 404));
    a.get('/boom', () => {
      throw new Error('kaput');
    });
    a.onError((_, c) => c.text('internal', 500));
    return a;
  }

  it('writes one line per request with method, route, status, duration and request id', async () => {
    const { lines, destination } = lineCollector();
    await app(destination).request('/products/42', { headers: { 'x-request-id': 'req-7' } });
    const line = lines.find((l) => l.msg === 'request completed')!;
    expect(line).toMatchObject({
      level: 'info',
      method: 'GET',
      route: '/products/:id',
      status: 200,
      durationMs: expect.any(Number),
      requestId: 'req-7',
    });
    expect(line.trace_id).toBe(telemetry.spans!.getFinishedSpans()[0]!.spanContext().traceId);
  });

  it('reads the x-request-id header of a request served by @hono/node-server', async () => {
    const { lines, destination } = lineCollector();
    const server = await listen(app(destination));
    try {
      await fetch(`${server.url}/products/1`, { headers: { 'x-request-id': 'over-http' } });
    } finally {
      await server.close();
    }
    expect(lines.find((l) => l.msg === 'request completed')!.requestId).toBe('over-http');
  });

  it('prefers the request id core put on the context', async () => {
    const { lines, destination } = lineCollector();
    const a = new Hono<{ Variables: { requestId: string } }>();
    a.use(async (c, next) => {
      c.set('requestId', 'from-core');
      await next();
    });
    a.use(requestLogger({ logger: createLogger({ destination }) }));
    a.get('/', (c) => c.text('ok'));
    await a.request('/', { headers: { 'x-request-id': 'from-header' } });
    expect(lines[0]!.requestId).toBe('from-core');
  });

  it('gives handlers a child logger bound to the request id', async () => {
    const { lines, destination } = lineCollector();
    await app(destination).request('/products/42', { headers: { 'x-request-id': 'req-8' } });
    expect(lines.find((l) => l.msg === 'inside')).toMatchObject({ requestId: 'req-8' });
  });

  it('logs a 4xx at warn and a 5xx at error with the error type', async () => {
    const { lines, destination } = lineCollector();
    const a = app(destination);
    await a.request('/missing');
    await a.request('/boom');
    expect(lines.map((l) => [l.level, l.status])).toEqual([
      ['warn', 404],
      ['error', 500],
    ]);
    expect(lines[1]!.errorType).toBe('Error');
    expect(lines[1]).not.toHaveProperty('err');
  });

  it('omits the route for an unmatched request', async () => {
    const { lines, destination } = lineCollector();
    await app(destination).request('/nope');
    expect(lines[0]).not.toHaveProperty('route');
    expect(lines[0]).toMatchObject({ status: 404 });
  });
});
