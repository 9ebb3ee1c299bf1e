import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BulkheadRejectedError, bulkhead, DeadlineExceededError } from '../src/index.js';

function deferred<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('bulkhead', () => {
  it('runs at most maxConcurrent calls at once', async () => {
    const pool = bulkhead({ maxConcurrent: 2, maxQueue: 5 });
    let running = 0;
    let peak = 0;
    const gates = Array.from({ length: 5 }, () => deferred());
    const calls = gates.map((g) =>
      pool.execute(async () => {
        running++;
        peak = Math.max(peak, running);
        await g.promise;
        running--;
      }),
    );
    for (const g of gates) {
      await new Promise((r) => setImmediate(r));
      g.resolve();
    }
    await Promise.all(calls);
    expect(peak).toBe(2);
  });

  it('gives a freed slot to the head of the queue (FIFO)', async () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 3 });
    const order: string[] = [];
    const gate = deferred();
    const first = pool.execute(() => gate.promise.then(() => order.push('a')));
    const rest = ['b', 'c', 'd'].map((n) => pool.execute(async () => order.push(n)));
    expect(pool.queued).toBe(3);
    gate.resolve();
    await Promise.all([first, ...rest]);
    expect(order).toEqual(['a', 'b', 'c', 'd']);
  });

  it('rejects at once with BulkheadRejectedError when the queue is full', async () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 1, name: 'db' });
    const gate = deferred();
    const running = pool.execute(() => gate.promise);
    const queued = pool.execute(() => Promise.resolve());
    const fn = vi.fn();
    const error = await pool.execute(fn).catch((e: unknown) => e);
    expect(fn).not.toHaveBeenCalled();
    expect(BulkheadRejectedError.is(error)).toBe(true);
    expect(error).toMatchObject({ status: 503, bulkhead: 'db', maxConcurrent: 1, maxQueue: 1 });
    gate.resolve();
    await Promise.all([running, queued]);
  });

  it('removes a queued call at once when its caller aborts', async () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    const gate = deferred();
    const running = pool.execute(() => gate.promise);
    const controller = new AbortController();
    const fn = vi.fn();
    const queued = pool.execute(fn, { signal: controller.signal });
    expect(pool.queued).toBe(1);
    controller.abort(new Error('bye'));
    await expect(queued).rejects.toThrow('bye');
    expect(pool.queued).toBe(0);
    // The freed queue place is usable at once.
    const next = pool.execute(async () => 'next');
    gate.resolve();
    await running;
    await expect(next).resolves.toBe('next');
    expect(fn).not.toHaveBeenCalled();
  });

  it('releases the slot when the call throws', async () => {
    const pool = bulkhead({ maxConcurrent: 1 });
    await pool.execute(() => Promise.reject(new Error('x'))).catch(() => {});
    await pool
      .execute(() => {
        throw new Error('sync');
      })
      .catch(() => {});
    expect(pool.active).toBe(0);
    await expect(pool.execute(async () => 1)).resolves.toBe(1);
  });

  it('rejects a call whose caller already aborted without running it', async () => {
    const pool = bulkhead({ maxConcurrent: 1 });
    const fn = vi.fn();
    await expect(pool.execute(fn, { signal: AbortSignal.abort(new Error('no')) })).rejects.toThrow(
      'no',
    );
    expect(fn).not.toHaveBeenCalled();
  });

  it('carries a Retry-After hint when configured', async () => {
    const pool = bulkhead({ maxConcurrent: 1, retryAfterMs: 1_500 });
    const gate = deferred();
    const running = pool.execute(() => gate.promise);
    const error = (await pool
      .execute(async () => 1)
      .catch((e: unknown) => e)) as BulkheadRejectedError;
    expect(error.headers?.['retry-after']).toBe('2');
    gate.resolve();
    await running;
  });

  it('emits a reject event, and a throwing listener does not change the outcome', async () => {
    const pool = bulkhead({ maxConcurrent: 1 });
    const events: unknown[] = [];
    pool.on('reject', (e) => events.push(e));
    pool.on('reject', () => {
      throw new Error('listener bug');
    });
    const gate = deferred();
    const running = pool.execute(() => gate.promise);
    await expect(pool.execute(async () => 1)).rejects.toBeInstanceOf(BulkheadRejectedError);
    expect(events).toEqual([{ name: 'bulkhead', active: 1, queued: 0 }]);
    gate.resolve();
    await running;
  });

  describe('with fake timers', () => {
    beforeEach(() => {
      vi.useFakeTimers();
    });
    afterEach(() => {
      vi.useRealTimers();
    });

    it('counts the time spent queued against the deadline', async () => {
      const pool = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
      const gate = deferred();
      const running = pool.execute(() => gate.promise);
      const queued = pool.execute(async () => 'late', { deadline: Date.now() + 100 });
      const outcome = queued.catch((e: unknown) => e);
      await vi.advanceTimersByTimeAsync(100);
      const error = await outcome;
      expect(DeadlineExceededError.is(error)).toBe(true);
      expect(error).toMatchObject({ reason: 'deadline', status: 504 });
      expect(pool.queued).toBe(0);
      gate.resolve();
      await running;
    });
  });
});

describe('bulkhead deadlines', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('treats a deadline beyond the timer range as no deadline while queued', async () => {
    const pool = bulkhead({ maxConcurrent: 1, maxQueue: 1 });
    let release!: () => void;
    const running = pool.execute(() => new Promise<void>((r) => (release = r)));
    const queued = pool.execute(async () => 'ran', { deadline: Date.now() + 40 * 24 * 3600_000 });
    await vi.advanceTimersByTimeAsync(5);
    expect(pool.queued).toBe(1);
    release();
    await running;
    await expect(queued).resolves.toBe('ran');
  });
});
