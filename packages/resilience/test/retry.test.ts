import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  BrokenCircuitError,
  BulkheadRejectedError,
  DeadlineExceededError,
  isRetryable,
  retry,
  retryBudget,
} from '../src/index.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const failing = (times: number, value = 'ok') => {
  let n = 0;
  return vi.fn(async () => {
    if (n++ < times) throw new Error(`fail ${n}`);
    return value;
  });
};

describe('retry', () => {
  it('makes maxAttempts attempts in total, the first included', async () => {
    const fn = failing(10);
    const outcome = retry({ maxAttempts: 3, jitter: 'none', baseDelayMs: 10 })
      .execute(fn)
      .catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await outcome).toEqual(new Error('fail 3'));
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('numbers attempts from 0', async () => {
    const seen: number[] = [];
    const outcome = retry({ maxAttempts: 3, baseDelayMs: 0 })
      .execute(async ({ attempt }) => {
        seen.push(attempt);
        throw new Error('x');
      })
      .catch(() => {});
    await vi.runAllTimersAsync();
    await outcome;
    expect(seen).toEqual([0, 1, 2]);
  });

  it('does not retry a call that succeeds first time', async () => {
    const fn = failing(0);
    await expect(retry().execute(fn)).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('backs off exponentially up to the cap without jitter', async () => {
    const delays: number[] = [];
    const policy = retry({ maxAttempts: 5, baseDelayMs: 100, maxDelayMs: 250, jitter: 'none' });
    policy.on('retry', (e) => delays.push(e.delayMs));
    const outcome = policy.execute(failing(10)).catch(() => {});
    await vi.runAllTimersAsync();
    await outcome;
    expect(delays).toEqual([100, 200, 250, 250]);
  });

  it('uses full jitter: a uniform delay between 0 and the exponential ceiling', async () => {
    const delays: number[] = [];
    const policy = retry({ maxAttempts: 3, baseDelayMs: 100, random: () => 0.5 });
    policy.on('retry', (e) => delays.push(e.delayMs));
    const outcome = policy.execute(failing(10)).catch(() => {});
    await vi.runAllTimersAsync();
    await outcome;
    expect(delays).toEqual([50, 100]);
  });

  it('actually waits the backoff delay before the next attempt', async () => {
    const fn = failing(1);
    const call = retry({ baseDelayMs: 100, jitter: 'none' }).execute(fn);
    await vi.advanceTimersByTimeAsync(99);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(fn).toHaveBeenCalledTimes(2);
    await expect(call).resolves.toBe('ok');
  });

  it('retries TypeErrors too (p-retry would not)', async () => {
    let n = 0;
    const call = retry({ baseDelayMs: 0 }).execute(async () => {
      if (n++ === 0) throw new TypeError('x is not a function');
      return 'ok';
    });
    await vi.runAllTimersAsync();
    await expect(call).resolves.toBe('ok');
  });

  it('does not retry errors the predicate rejects', async () => {
    const fn = vi.fn(async () => {
      throw new Error('fatal');
    });
    const outcome = retry({ shouldRetry: () => false })
      .execute(fn)
      .catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await outcome).toEqual(new Error('fatal'));
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('honours Retry-After in place of a shorter backoff', async () => {
    const delays: number[] = [];
    let n = 0;
    const policy = retry({ baseDelayMs: 10, jitter: 'none' });
    policy.on('retry', (e) => delays.push(e.delayMs));
    const call = policy.execute(async () => {
      if (n++ === 0) throw Object.assign(new Error('busy'), { retryAfterMs: 2_000 });
      return 'ok';
    });
    await vi.advanceTimersByTimeAsync(1_999);
    expect(n).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(call).resolves.toBe('ok');
    expect(delays).toEqual([2_000]);
  });

  it('gives up rather than wait longer than maxRetryAfterMs', async () => {
    const reasons: string[] = [];
    const policy = retry({ maxRetryAfterMs: 1_000 });
    policy.on('giveUp', (e) => reasons.push(e.reason));
    const fn = vi.fn(async () => {
      throw Object.assign(new Error('later'), { retryAfterMs: 60_000 });
    });
    await expect(policy.execute(fn)).rejects.toThrow('later');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(reasons).toEqual(['retryAfter']);
  });

  it('never sleeps past the deadline: it gives up with the last error', async () => {
    const reasons: string[] = [];
    const policy = retry({ baseDelayMs: 500, jitter: 'none' });
    policy.on('giveUp', (e) => reasons.push(e.reason));
    const fn = failing(10);
    await expect(policy.execute(fn, { deadline: Date.now() + 300 })).rejects.toThrow('fail 1');
    expect(fn).toHaveBeenCalledTimes(1);
    expect(reasons).toEqual(['deadline']);
  });

  it('aborts a backoff wait when the caller cancels', async () => {
    const controller = new AbortController();
    const fn = failing(10);
    const outcome = retry({ baseDelayMs: 10_000, jitter: 'none' })
      .execute(fn, { signal: controller.signal })
      .catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(10);
    controller.abort(new Error('stop'));
    expect(await outcome).toEqual(new Error('stop'));
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('stops retrying when the shared budget is spent', async () => {
    const budget = retryBudget({ ratio: 0, minRetriesPerSecond: 0.1, windowMs: 10_000 });
    const policy = retry({ baseDelayMs: 0, budget, maxAttempts: 5 });
    const fn = failing(100);
    const outcome = policy.execute(fn).catch(() => {});
    await vi.runAllTimersAsync();
    await outcome;
    // The floor allows one retry in the 10 s window: 1 try + 1 retry.
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('reports attempts exhausted as the give-up reason', async () => {
    const events: unknown[] = [];
    const policy = retry({ maxAttempts: 2, baseDelayMs: 0 });
    policy.on('giveUp', (e) => events.push({ reason: e.reason, attempts: e.attempts }));
    const outcome = policy.execute(failing(5)).catch(() => {});
    await vi.runAllTimersAsync();
    await outcome;
    expect(events).toEqual([{ reason: 'attempts', attempts: 2 }]);
  });
});

describe('isRetryable', () => {
  it("does not retry Milkyway's own rejections", () => {
    expect(isRetryable(new BrokenCircuitError({ breaker: 'b', retryAfterMs: 10 }))).toBe(false);
    expect(isRetryable(new BulkheadRejectedError({ maxConcurrent: 1, maxQueue: 0 }))).toBe(false);
  });

  it('retries timeouts and unknown errors', () => {
    expect(isRetryable(new DeadlineExceededError({ timeoutMs: 5, reason: 'timeout' }))).toBe(true);
    expect(isRetryable(new Error('x'))).toBe(true);
  });

  it('retries only transient upstream statuses', () => {
    expect(isRetryable({ upstreamStatus: 503 })).toBe(true);
    expect(isRetryable({ upstreamStatus: 429 })).toBe(true);
    expect(isRetryable({ upstreamStatus: 500 })).toBe(false);
    expect(isRetryable({ upstreamStatus: 404 })).toBe(false);
  });

  it('takes an explicit retryable flag at its word', () => {
    expect(isRetryable({ retryable: false, upstreamStatus: 503 })).toBe(false);
  });
});
