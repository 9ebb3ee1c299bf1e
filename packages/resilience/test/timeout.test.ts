import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DeadlineExceededError, timeout } from '../src/index.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const never = ({ signal }: { signal: AbortSignal }) =>
  new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));

describe('timeout', () => {
  it('aborts the attempt signal with a DeadlineExceededError when time is up', async () => {
    const t = timeout(100);
    let seen: AbortSignal | undefined;
    const call = t.execute((ctx) => {
      seen = ctx.signal;
      return never(ctx);
    });
    const outcome = call.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(100);
    const error = await outcome;
    expect(DeadlineExceededError.is(error)).toBe(true);
    expect(error).toMatchObject({ status: 504, timeoutMs: 100, reason: 'timeout' });
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBe(error);
  });

  it('rejects on time even when the function ignores its signal', async () => {
    const t = timeout(50);
    const outcome = t.execute(() => new Promise(() => {})).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(50);
    expect(DeadlineExceededError.is(await outcome)).toBe(true);
  });

  it('does not fire a millisecond early', async () => {
    const t = timeout(100);
    let settled = false;
    t.execute(() => new Promise(() => {})).catch(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(99);
    expect(settled).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(settled).toBe(true);
  });

  it("reports the caller's cancellation with the caller's reason, never as a timeout", async () => {
    const t = timeout(1_000);
    const controller = new AbortController();
    const outcome = t.execute(never, { signal: controller.signal }).catch((e: unknown) => e);
    controller.abort(new Error('user cancelled'));
    const error = await outcome;
    expect(DeadlineExceededError.is(error)).toBe(false);
    expect(error).toEqual(new Error('user cancelled'));
  });

  it('rejects promptly on caller cancellation even when the function ignores its signal', async () => {
    const t = timeout(1_000);
    const controller = new AbortController();
    const outcome = t
      .execute(() => new Promise(() => {}), { signal: controller.signal })
      .catch((e: unknown) => e);
    controller.abort(new Error('gone'));
    expect(await outcome).toEqual(new Error('gone'));
  });

  it('uses the deadline when it is sooner than the timeout', async () => {
    const t = timeout(1_000);
    const outcome = t.execute(never, { deadline: Date.now() + 30 }).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(30);
    expect(await outcome).toMatchObject({ reason: 'deadline' });
  });

  it('fails at once when the deadline has passed, without calling the function', async () => {
    const t = timeout(1_000);
    const fn = vi.fn();
    const error = await t.execute(fn, { deadline: Date.now() - 1 }).catch((e: unknown) => e);
    expect(DeadlineExceededError.is(error)).toBe(true);
    expect(fn).not.toHaveBeenCalled();
  });

  it('gives each concurrent call its own timer slot and signal', async () => {
    const t = timeout(100);
    const signals: AbortSignal[] = [];
    const first = t.execute((ctx) => {
      signals.push(ctx.signal);
      return never(ctx);
    });
    const firstOutcome = first.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(60);
    const second = t.execute((ctx) => {
      signals.push(ctx.signal);
      return new Promise((r) => setTimeout(() => r('second'), 60));
    });
    await vi.advanceTimersByTimeAsync(40);
    expect(DeadlineExceededError.is(await firstOutcome)).toBe(true);
    expect(signals[1]?.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(20);
    await expect(second).resolves.toBe('second');
  });

  it('shares one timer between all pending calls', async () => {
    const t = timeout(100);
    const before = vi.getTimerCount();
    const calls = Array.from({ length: 50 }, () =>
      t.execute(() => new Promise(() => {})).catch(() => {}),
    );
    expect(vi.getTimerCount() - before).toBe(1);
    await vi.advanceTimersByTimeAsync(100);
    await Promise.all(calls);
  });

  it('does not create a signal for a function that never reads it', async () => {
    const t = timeout(100);
    const spy = vi.spyOn(globalThis, 'AbortController');
    await t.execute(async () => 1);
    expect(spy).not.toHaveBeenCalled();
    spy.mockRestore();
  });

  it('passes the value of a call that finishes in time', async () => {
    await expect(timeout(100).execute(() => 'v')).resolves.toBe('v');
  });
});

describe('timeout validation', () => {
  it('refuses durations setTimeout cannot represent', () => {
    expect(() => timeout(0)).toThrow(RangeError);
    expect(() => timeout(2 ** 31)).toThrow(RangeError);
    expect(() => timeout(Number.NaN)).toThrow(RangeError);
  });
});
