import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type BreakerState,
  BrokenCircuitError,
  BulkheadRejectedError,
  bulkhead,
  circuitBreaker,
  createOpossumEngine,
  DeadlineExceededError,
  policy,
  timeout,
  wrap,
} from '../src/index.js';

const fail = () => Promise.reject(new Error('boom'));
const ok = () => Promise.resolve('ok');

async function failTimes(breaker: ReturnType<typeof circuitBreaker>, n: number) {
  for (let i = 0; i < n; i++) await breaker.execute(fail).catch(() => {});
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('circuitBreaker', () => {
  it('stays closed when the first call of a fresh breaker fails', async () => {
    const breaker = circuitBreaker({ minimumCalls: 5 });
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('closed');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
  });

  it('opens once minimumCalls calls were made and the failure rate exceeds the threshold', async () => {
    const breaker = circuitBreaker({ minimumCalls: 4, failureRateThreshold: 50 });
    await failTimes(breaker, 3);
    expect(breaker.state).toBe('closed');
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
  });

  it('does not open while the failure rate is at or under the threshold', async () => {
    const breaker = circuitBreaker({ minimumCalls: 4, failureRateThreshold: 50 });
    await breaker.execute(ok);
    await breaker.execute(ok);
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('closed');
  });

  it('rejects at once without calling the function while open', async () => {
    const breaker = circuitBreaker({ minimumCalls: 1, resetTimeoutMs: 5_000 });
    await failTimes(breaker, 1);
    const fn = vi.fn(ok);
    const error = await breaker.execute(fn).catch((e: unknown) => e);
    expect(fn).not.toHaveBeenCalled();
    expect(BrokenCircuitError.is(error)).toBe(true);
    expect(error).toMatchObject({
      status: 503,
      retryAfterMs: 5_000,
      headers: { 'retry-after': '5' },
    });
  });

  it('counts retryAfterMs down while open', async () => {
    const breaker = circuitBreaker({ minimumCalls: 1, resetTimeoutMs: 5_000 });
    await failTimes(breaker, 1);
    vi.advanceTimersByTime(3_500);
    const error = (await breaker.execute(ok).catch((e: unknown) => e)) as BrokenCircuitError;
    expect(error.retryAfterMs).toBe(1_500);
    expect(error.headers?.['retry-after']).toBe('2');
  });

  it('half-opens after the reset timeout and closes when the probe succeeds', async () => {
    const breaker = circuitBreaker({ minimumCalls: 1, resetTimeoutMs: 1_000 });
    await failTimes(breaker, 1);
    vi.advanceTimersByTime(1_000);
    expect(breaker.state).toBe('half-open');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('re-opens when the probe fails, and waits a full reset timeout again', async () => {
    const breaker = circuitBreaker({ minimumCalls: 1, resetTimeoutMs: 1_000 });
    await failTimes(breaker, 1);
    vi.advanceTimersByTime(1_000);
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('open');
    vi.advanceTimersByTime(999);
    expect(breaker.state).toBe('open');
    vi.advanceTimersByTime(1);
    expect(breaker.state).toBe('half-open');
  });

  it('lets exactly one probe through while half-open', async () => {
    const breaker = circuitBreaker({ minimumCalls: 1, resetTimeoutMs: 1_000 });
    await failTimes(breaker, 1);
    vi.advanceTimersByTime(1_000);
    let release!: (v: string) => void;
    const probe = breaker.execute(() => new Promise<string>((r) => (release = r)));
    const second = breaker.execute(ok).catch((e: unknown) => e);
    expect(BrokenCircuitError.is(await second)).toBe(true);
    release('done');
    await expect(probe).resolves.toBe('done');
    expect(breaker.state).toBe('closed');
  });

  it('starts a closed breaker with an empty window after recovering', async () => {
    const breaker = circuitBreaker({ minimumCalls: 3, resetTimeoutMs: 1_000, windowMs: 60_000 });
    await failTimes(breaker, 3);
    expect(breaker.state).toBe('open');
    vi.advanceTimersByTime(1_000);
    await breaker.execute(ok);
    expect(breaker.state).toBe('closed');
    // The three old failures are forgotten: one new failure is below minimumCalls.
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('closed');
  });

  it('only takes legal transitions and reports each as an event', async () => {
    const breaker = circuitBreaker({ minimumCalls: 1, resetTimeoutMs: 1_000 });
    const seen: Array<[BreakerState, BreakerState]> = [];
    breaker.on('stateChange', ({ from, to }) => seen.push([from, to]));
    await failTimes(breaker, 1);
    vi.advanceTimersByTime(1_000);
    await failTimes(breaker, 1);
    vi.advanceTimersByTime(1_000);
    await breaker.execute(ok);
    expect(seen).toEqual([
      ['closed', 'open'],
      ['open', 'half-open'],
      ['half-open', 'open'],
      ['open', 'half-open'],
      ['half-open', 'closed'],
    ]);
  });

  it('does not count errors the isFailure predicate rejects', async () => {
    const notFound = Object.assign(new Error('404'), { status: 404 });
    const breaker = circuitBreaker({
      minimumCalls: 1,
      isFailure: (e) => (e as { status?: number }).status !== 404,
    });
    await breaker.execute(() => Promise.reject(notFound)).catch(() => {});
    expect(breaker.state).toBe('closed');
  });

  it('never counts a full bulkhead as a failure', async () => {
    const breaker = circuitBreaker({ minimumCalls: 1 });
    const pool = bulkhead({ maxConcurrent: 1 });
    const p = wrap(breaker, pool);
    let release!: () => void;
    const busy = p.execute(() => new Promise<void>((r) => (release = r)));
    const rejected = await p.execute(ok).catch((e: unknown) => e);
    expect(BulkheadRejectedError.is(rejected)).toBe(true);
    release();
    await busy;
    expect(breaker.state).toBe('closed');
  });

  it('never counts a call the caller cancelled', async () => {
    const breaker = circuitBreaker({ minimumCalls: 1 });
    const controller = new AbortController();
    const call = breaker.execute(
      ({ signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      { signal: controller.signal },
    );
    controller.abort(new Error('client went away'));
    await expect(call).rejects.toThrow('client went away');
    expect(breaker.state).toBe('closed');
  });

  it('does not dilute the failure rate with cancelled calls', async () => {
    const breaker = circuitBreaker({ minimumCalls: 2, failureRateThreshold: 50 });
    for (let i = 0; i < 5; i++) {
      const controller = new AbortController();
      controller.abort();
      const c = new AbortController();
      const call = breaker.execute(
        ({ signal }) =>
          new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
        { signal: c.signal },
      );
      c.abort();
      await call.catch(() => {});
    }
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('open');
  });

  it('lets the next call probe when the half-open probe is cancelled by its caller', async () => {
    const breaker = circuitBreaker({ minimumCalls: 1, resetTimeoutMs: 1_000 });
    await failTimes(breaker, 1);
    vi.advanceTimersByTime(1_000);
    const controller = new AbortController();
    const probe = breaker.execute(
      ({ signal }) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason))),
      { signal: controller.signal },
    );
    controller.abort();
    await probe.catch(() => {});
    expect(breaker.state).toBe('half-open');
    await expect(breaker.execute(ok)).resolves.toBe('ok');
    expect(breaker.state).toBe('closed');
  });

  it('ignores a stale success from a call that started before the breaker opened', async () => {
    const breaker = circuitBreaker({ minimumCalls: 1, resetTimeoutMs: 1_000 });
    let release!: (v: string) => void;
    const slow = breaker.execute(() => new Promise<string>((r) => (release = r)));
    await failTimes(breaker, 2);
    expect(breaker.state).toBe('open');
    vi.advanceTimersByTime(1_000);
    expect(breaker.state).toBe('half-open');
    release('late');
    await expect(slow).resolves.toBe('late');
    expect(breaker.state).toBe('half-open');
  });

  it("does not let one call's timeout abort another call (opossum's shared abortController)", async () => {
    const p = wrap(circuitBreaker({ minimumCalls: 100 }), timeout(100));
    const signals: AbortSignal[] = [];
    const slow = p.execute(({ signal }) => {
      signals.push(signal);
      return new Promise((_, reject) =>
        signal.addEventListener('abort', () => reject(signal.reason)),
      );
    });
    vi.advanceTimersByTime(50);
    const fast = p.execute(({ signal }) => {
      signals.push(signal);
      return new Promise((resolve) => setTimeout(() => resolve('fast'), 80));
    });
    vi.advanceTimersByTime(50);
    await expect(slow).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(signals[1]?.aborted).toBe(false);
    vi.advanceTimersByTime(30);
    await expect(fast).resolves.toBe('fast');
  });

  it('does not open when a full bulkhead rejects many calls (opossum capacity pitfall)', async () => {
    const composed = policy({ breaker: { minimumCalls: 2 }, bulkhead: { maxConcurrent: 1 } });
    let release!: () => void;
    const busy = composed.execute(() => new Promise<void>((r) => (release = r)));
    for (let i = 0; i < 10; i++) await composed.execute(ok).catch(() => {});
    expect(composed.breaker?.state).toBe('closed');
    release();
    await busy;
  });

  it('runs without wall-clock timers for its rolling window', async () => {
    const before = vi.getTimerCount();
    const breaker = circuitBreaker();
    expect(vi.getTimerCount()).toBe(before);
    breaker.dispose();
  });

  it('forgets failures that slid out of the window', async () => {
    const breaker = circuitBreaker({ minimumCalls: 4, windowMs: 10_000, buckets: 10 });
    await failTimes(breaker, 3);
    vi.advanceTimersByTime(11_000);
    await failTimes(breaker, 1);
    expect(breaker.state).toBe('closed');
  });

  it('stays open while isolated and closes on reset', async () => {
    const breaker = circuitBreaker({ resetTimeoutMs: 1_000 });
    breaker.isolate();
    vi.advanceTimersByTime(5_000);
    await expect(breaker.execute(ok)).rejects.toBeInstanceOf(BrokenCircuitError);
    breaker.reset();
    await expect(breaker.execute(ok)).resolves.toBe('ok');
  });

  it('keeps its outcome when an event listener throws', async () => {
    const breaker = circuitBreaker({ minimumCalls: 1 });
    breaker.on('stateChange', () => {
      throw new Error('listener bug');
    });
    breaker.on('failure', () => {
      throw new Error('listener bug');
    });
    await expect(breaker.execute(fail)).rejects.toThrow('boom');
    expect(breaker.state).toBe('open');
  });
});

describe('circuitBreaker engine defaults', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("never times a call out on its own (opossum's default 10 s timeout is off)", async () => {
    const breaker = circuitBreaker();
    const call = breaker.execute(() => new Promise((r) => setTimeout(() => r('slow'), 60_000)));
    await vi.advanceTimersByTimeAsync(60_000);
    await expect(call).resolves.toBe('slow');
  });

  it('never rejects for concurrency on its own (no opossum capacity)', async () => {
    const breaker = circuitBreaker({ minimumCalls: 1 });
    const releases: Array<() => void> = [];
    const calls = Array.from({ length: 2_000 }, () =>
      breaker.execute(() => new Promise<void>((r) => releases.push(r))),
    );
    expect(releases.length).toBe(2_000);
    for (const release of releases) release();
    await Promise.all(calls);
    expect(breaker.state).toBe('closed');
  });

  it('accepts another engine through the engine factory', async () => {
    const seen: string[] = [];
    const breaker = circuitBreaker({
      minimumCalls: 1,
      engine: (settings, onTransition) =>
        createOpossumEngine(settings, (from, to) => {
          seen.push(`${from}>${to}`);
          onTransition(from, to);
        }),
    });
    await breaker.execute(() => Promise.reject(new Error('x'))).catch(() => {});
    expect(seen).toEqual(['closed>open']);
    expect(breaker.state).toBe('open');
  });
});
