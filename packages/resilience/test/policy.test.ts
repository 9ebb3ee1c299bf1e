import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BrokenCircuitError,
  bulkhead,
  circuitBreaker,
  DeadlineExceededError,
  fallback,
  type Policy,
  policy,
  retry,
  timeout,
  wrap,
} from '../src/index.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('wrap', () => {
  it('runs policies outermost first', async () => {
    const order: string[] = [];
    const tracer = (name: string): Policy => ({
      execute: async (fn, options) => {
        order.push(`${name}>`);
        try {
          return await fn({
            signal: new AbortController().signal,
            attempt: 0,
            deadline: options?.deadline,
          });
        } finally {
          order.push(`<${name}`);
        }
      },
    });
    await wrap(tracer('a'), tracer('b'), tracer('c')).execute(async () => {
      order.push('fn');
    });
    expect(order).toEqual(['a>', 'b>', 'c>', 'fn', '<c', '<b', '<a']);
  });
});

describe('policy', () => {
  it('keeps every part it built reachable, named after the policy', () => {
    const fb = fallback(null);
    const p = policy({
      name: 'catalog',
      fallback: fb,
      totalTimeoutMs: 1_000,
      retry: {},
      breaker: {},
      bulkhead: { maxConcurrent: 1 },
      attemptTimeoutMs: 100,
    });
    expect(p.fallback).toBe(fb);
    expect(p.totalTimeout?.name).toBe('catalog.total-timeout');
    expect(p.retry?.name).toBe('catalog.retry');
    expect(p.breaker?.name).toBe('catalog.breaker');
    expect(p.bulkhead?.name).toBe('catalog.bulkhead');
    expect(p.attemptTimeout?.name).toBe('catalog.attempt-timeout');
  });

  it('gives every retry a fresh attempt timeout, counted by the breaker', async () => {
    const p = policy({
      retry: { maxAttempts: 3, baseDelayMs: 0 },
      breaker: { minimumCalls: 3, failureRateThreshold: 50 },
      attemptTimeoutMs: 100,
    });
    const attempts: number[] = [];
    const outcome = p
      .execute(({ attempt, signal }) => {
        attempts.push(attempt);
        return new Promise((_, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        );
      })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(350);
    expect(DeadlineExceededError.is(await outcome)).toBe(true);
    expect(attempts).toEqual([0, 1, 2]);
    expect(p.breaker?.state).toBe('open');
  });

  it('stops retrying when the total timeout fires, reporting it as a timeout', async () => {
    const p = policy({
      totalTimeoutMs: 250,
      retry: { maxAttempts: 10, baseDelayMs: 0 },
      attemptTimeoutMs: 100,
    });
    let attempts = 0;
    const outcome = p
      .execute(() => {
        attempts++;
        return new Promise(() => {});
      })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1_000);
    const error = await outcome;
    expect(DeadlineExceededError.is(error)).toBe(true);
    expect(attempts).toBe(3);
  });

  it('does not count an attempt cut short by the total timeout as a breaker failure', async () => {
    const p = policy({ totalTimeoutMs: 50, breaker: { minimumCalls: 1 }, attemptTimeoutMs: 1_000 });
    const outcome = p.execute(() => new Promise(() => {})).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    expect(DeadlineExceededError.is(await outcome)).toBe(true);
    expect(p.breaker?.state).toBe('closed');
  });

  it('counts time queued in the bulkhead against the total timeout', async () => {
    const p = policy({
      totalTimeoutMs: 100,
      bulkhead: { maxConcurrent: 1, maxQueue: 1 },
      attemptTimeoutMs: 1_000,
    });
    let release!: () => void;
    // The first call holds the only slot (and times out too).
    const busy = p.execute(() => new Promise<void>((r) => (release = r))).catch(() => {});
    const fn = vi.fn(async () => 'ran');
    const queued = p.execute(fn).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    expect(DeadlineExceededError.is(await queued)).toBe(true);
    expect(p.bulkhead?.queued).toBe(0);
    release();
    await busy;
    expect(fn).not.toHaveBeenCalled();
  });

  it('does not retry into an open breaker', async () => {
    const p = policy({ retry: { maxAttempts: 5, baseDelayMs: 0 }, breaker: { minimumCalls: 1 } });
    const fn = vi.fn(async () => {
      throw new Error('down');
    });
    const outcome = p.execute(fn).catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(BrokenCircuitError.is(await outcome)).toBe(true);
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('answers with the fallback when the breaker is open', async () => {
    const p = policy({ fallback: fallback('stale'), breaker: { minimumCalls: 1 } });
    await p.execute(() => Promise.reject(new Error('x')));
    await expect(p.execute(() => 'fresh')).resolves.toBe('stale');
  });

  it('shares a breaker instance between policies', async () => {
    const breaker = circuitBreaker({ minimumCalls: 1 });
    const a = policy({ breaker });
    const b = policy({ breaker, attemptTimeoutMs: 100 });
    await a.execute(() => Promise.reject(new Error('x'))).catch(() => {});
    await expect(b.execute(() => 1)).rejects.toBeInstanceOf(BrokenCircuitError);
  });

  it('accepts primitives and foreign policies in wrap', async () => {
    const p = wrap(
      retry({ maxAttempts: 2, baseDelayMs: 0 }),
      bulkhead({ maxConcurrent: 1 }),
      timeout(100),
    );
    let n = 0;
    const call = p.execute(async () => {
      if (n++ === 0) throw new Error('once');
      return 'ok';
    });
    await vi.runAllTimersAsync();
    await expect(call).resolves.toBe('ok');
  });
});
