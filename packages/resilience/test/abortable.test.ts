import { describe, expect, it } from 'vitest';
import { abortable } from '../src/index.js';

describe('abortable', () => {
  it('settles like the promise when the signal does not abort', async () => {
    const controller = new AbortController();
    await expect(abortable(Promise.resolve(7), controller.signal)).resolves.toBe(7);
    await expect(abortable(Promise.reject(new Error('boom')), controller.signal)).rejects.toThrow(
      'boom',
    );
  });

  it('rejects with the reason as soon as the signal aborts, before the promise settles', async () => {
    const controller = new AbortController();
    let settle!: (value: number) => void;
    const pending = new Promise<number>((resolve) => {
      settle = resolve;
    });
    const raced = abortable(pending, controller.signal);
    const reason = new Error('gave up');
    controller.abort(reason);
    await expect(raced).rejects.toBe(reason);
    settle(1); // the work itself finishes later; nobody waits for it
  });

  it('rejects at once for an already aborted signal, and the late rejection is handled', async () => {
    const reason = new Error('already');
    const late = Promise.reject(new Error('late'));
    await expect(abortable(late, AbortSignal.abort(reason))).rejects.toBe(reason);
  });

  it('returns the promise itself without a signal', () => {
    const promise = Promise.resolve('x');
    expect(abortable(promise, undefined)).toBe(promise);
  });

  it('removes its listener when the promise settles (a long-lived signal collects none)', async () => {
    const controller = new AbortController();
    let added = 0;
    let removed = 0;
    const { signal } = controller;
    const add = signal.addEventListener.bind(signal);
    const remove = signal.removeEventListener.bind(signal);
    signal.addEventListener = ((...args: Parameters<typeof add>) => {
      added++;
      add(...args);
    }) as typeof signal.addEventListener;
    signal.removeEventListener = ((...args: Parameters<typeof remove>) => {
      removed++;
      remove(...args);
    }) as typeof signal.removeEventListener;
    for (let i = 0; i < 100; i++) await abortable(Promise.resolve(i), signal);
    expect(added).toBe(100);
    expect(removed).toBe(100);
  });
});
