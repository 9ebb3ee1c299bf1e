import { type Logger, REDACTED } from '@milkyway/protocol';
import { context, metrics, trace } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { MiddlewareHandler } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestContextManager } from '../../../test-support/otel-context.js';
import {
  apiKeyAuth,
  createVerifier,
  hashApiKey,
  jwtAuth,
  redactAuthorization,
  redactJwts,
  redactToken,
  tokenFingerprint,
} from '../src/index.js';
import { AUDIENCE, app, bearer, claims, ISSUER, NOW, sign, testClock, testKey } from './helpers.js';

describe('redaction helpers', () => {
  const token = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl';

  it('replaces a token, optionally with a fingerprint', () => {
    expect(redactToken(token)).toBe(REDACTED);
    expect(redactToken(token, { fingerprint: true })).toBe(
      `[REDACTED sha256:${tokenFingerprint(token)}]`,
    );
    expect(tokenFingerprint(token)).toMatch(/^[0-9a-f]{12}$/);
  });

  it('keeps only the scheme of an Authorization header', () => {
    expect(redactAuthorization(`Bearer ${token}`)).toBe('Bearer [REDACTED]');
    expect(redactAuthorization(token)).toBe(REDACTED);
  });

  it('writes the one censor string of protocol 9', () => {
    expect(redactToken(token)).toBe(REDACTED);
    expect(redactJwts(token)).toBe(REDACTED);
    expect(redactAuthorization(`Bearer ${token}`)).toBe(`Bearer ${REDACTED}`);
  });

  it('removes JWTs from free text', () => {
    expect(redactJwts(`refused ${token} for user`)).toBe('refused [REDACTED] for user');
  });
});

class CollectingReader extends MetricReader {
  protected async onShutdown() {}
  protected async onForceFlush() {}
}

describe('logs, traces and metrics never contain tokens or keys', () => {
  const spans = new InMemorySpanExporter();
  const reader = new CollectingReader();
  beforeAll(() => {
    context.setGlobalContextManager(new TestContextManager());
    trace.setGlobalTracerProvider(
      new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }),
    );
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  });
  afterAll(() => {
    trace.disable();
    metrics.disable();
    context.disable();
  });

  /** Stands in for a tracing middleware: one active span per request. */
  const traced: MiddlewareHandler = (_c, next) =>
    trace.getTracer('test').startActiveSpan('request', async (span) => {
      try {
        await next();
      } finally {
        span.end();
      }
    });

  it('holds for valid, expired, tampered and malformed tokens and API keys', async () => {
    const key = await testKey('ES256');
    const logs: unknown[] = [];
    const record = (o: object, m?: string) => {
      logs.push([o, m]);
    };
    const logger: Logger = {
      debug: record,
      info: record,
      warn: record,
      error: record,
      child: () => logger,
    };
    const verifier = createVerifier({
      jwks: { keys: [key.jwk] },
      algorithms: ['ES256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      clock: testClock(),
      logger,
    });
    const apiKey = 'mk_live_secret_0123456789abcdef0123456789';
    const hono = app(traced);
    hono.get('/jwt', jwtAuth({ verifier }), (c) => c.text('ok'));
    hono.get('/key', apiKeyAuth({ keys: [{ sha256: hashApiKey(apiKey), subject: 'p' }] }), (c) =>
      c.text('ok'),
    );

    const valid = await sign(key);
    const expired = await sign(key, claims({ exp: NOW - 600, iat: NOW - 900 }));
    const [h, p, s] = valid.split('.');
    const tampered = `${h}.${Buffer.from('{"sub":"admin"}').toString('base64url')}.${s}`;
    const malformed = `${h}.${p}`;
    for (const token of [valid, expired, tampered, malformed])
      await hono.request('/jwt', bearer(token));
    await hono.request('/key', { headers: { 'x-api-key': apiKey } });
    await hono.request('/key', { headers: { 'x-api-key': `${apiKey}x` } });

    const { resourceMetrics } = await reader.collect();
    const recorded = JSON.stringify({
      logs,
      spans: spans
        .getFinishedSpans()
        .map((span) => ({ name: span.name, attributes: span.attributes, events: span.events })),
      metrics: resourceMetrics.scopeMetrics,
    });
    expect(logs.length).toBeGreaterThan(0);
    expect(recorded).toContain('milkyway.auth.failure');
    expect(recorded).toContain('milkyway.auth.verifications');
    for (const secret of [valid, expired, tampered, malformed, apiKey, h!, p!, s!]) {
      expect(recorded).not.toContain(secret);
    }
  });
});
