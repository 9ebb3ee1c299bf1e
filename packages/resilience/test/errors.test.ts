import { isRejection } from '@milkyway/protocol';
import { describe, expect, it } from 'vitest';
import {
  RequestTooLargeError,
  ResponseTooLargeError,
  UpstreamConnectionError,
  UpstreamResponseError,
} from '../src/http.js';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  DeadlineExceededError,
  parseRetryAfter,
} from '../src/index.js';

describe('errors', () => {
  it('carry the status core renders', () => {
    expect(new BrokenCircuitError({ breaker: 'b', retryAfterMs: 1 }).status).toBe(503);
    expect(new BulkheadRejectedError({ maxConcurrent: 1, maxQueue: 0 }).status).toBe(503);
    expect(new DeadlineExceededError({ timeoutMs: 1, reason: 'timeout' }).status).toBe(504);
    expect(
      new UpstreamConnectionError({ method: 'GET', url: 'http://x', cause: null }).status,
    ).toBe(502);
    expect(new ResponseTooLargeError({ limitBytes: 1 }).status).toBe(502);
    expect(new RequestTooLargeError({ limitBytes: 1 }).status).toBe(413);
  });

  it('are recognised by brand, across duplicate installs, not by prototype', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('milkyway.timeout')]: true });
    expect(DeadlineExceededError.is(foreign)).toBe(true);
    expect(DeadlineExceededError.is(new Error('x'))).toBe(false);
    expect(
      BrokenCircuitError.is(new DeadlineExceededError({ timeoutMs: 1, reason: 'timeout' })),
    ).toBe(false);
  });

  it('mark own rejections so breakers never count them', () => {
    expect(isRejection(new BulkheadRejectedError({ maxConcurrent: 1, maxQueue: 0 }))).toBe(true);
    expect(isRejection(new BrokenCircuitError({ breaker: 'b', retryAfterMs: 1 }))).toBe(true);
    expect(isRejection(new DeadlineExceededError({ timeoutMs: 1, reason: 'timeout' }))).toBe(false);
    expect(isRejection({ [Symbol.for('milkyway.rejection')]: true })).toBe(true);
  });

  it('give Retry-After in whole seconds, rounded up, at least 1', () => {
    expect(new BrokenCircuitError({ breaker: 'b', retryAfterMs: 0 }).headers?.['retry-after']).toBe(
      '1',
    );
    expect(
      new BrokenCircuitError({ breaker: 'b', retryAfterMs: 1_001 }).headers?.['retry-after'],
    ).toBe('2');
  });

  it('keep internal URLs and names out of the messages clients see', () => {
    const e = new UpstreamResponseError({
      response: new Response(null, { status: 500 }),
      method: 'GET',
      url: 'http://catalog.internal:3001/a?token=secret',
    });
    expect(e.detail).toBe('upstream answered with an error');
    expect(e.url).toContain('catalog.internal');
    const c = new UpstreamConnectionError({
      method: 'GET',
      url: 'http://catalog.internal/',
      cause: Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:3001'), {
        code: 'ECONNREFUSED',
      }),
    });
    expect(c.detail).toBe('upstream unreachable');
    expect(c.code).toBe('ECONNREFUSED');
    expect(
      new BrokenCircuitError({ breaker: '10.0.0.7:3001.breaker', retryAfterMs: 1 }).message,
    ).not.toContain('10.0.0.7');
    expect(
      new DeadlineExceededError({
        timeoutMs: 5,
        reason: 'timeout',
        source: '10.0.0.7:3001.attempt-timeout',
      }).message,
    ).not.toContain('10.0.0.7');
    expect(e.upstreamStatus).toBe(500);
    expect(e.status).toBe(502);
  });

  it('expose the connection error code', () => {
    const cause = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }),
    });
    expect(new UpstreamConnectionError({ method: 'GET', url: 'http://x', cause }).code).toBe(
      'ECONNREFUSED',
    );
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
  });

  it('reads an HTTP-date relative to now', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:27:00 GMT');
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', now)).toBe(60_000);
  });

  it('treats a date in the past as no wait', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT')).toBe(0);
  });

  it('ignores malformed values', () => {
    for (const v of ['', '-1', '1.5', 'soon', '2026-10-21', null, undefined]) {
      expect(parseRetryAfter(v)).toBeUndefined();
    }
  });
});
