import { describe, expect, it } from 'vitest';
import { BrokenCircuitError, fallback } from '../src/index.js';

describe('fallback', () => {
  it('answers with the value when the call fails', async () => {
    await expect(fallback('cached').execute(() => Promise.reject(new Error('x')))).resolves.toBe(
      'cached',
    );
  });

  it('calls a function fallback with the error', async () => {
    const fb = fallback((e) => `fallback for ${(e as Error).message}`);
    await expect(fb.execute(() => Promise.reject(new Error('boom')))).resolves.toBe(
      'fallback for boom',
    );
  });

  it('lets errors that do not match `when` through', async () => {
    const fb = fallback('x', { when: (e) => BrokenCircuitError.is(e) });
    await expect(fb.execute(() => Promise.reject(new Error('other')))).rejects.toThrow('other');
  });

  it("never answers a caller's cancellation", async () => {
    const controller = new AbortController();
    controller.abort(new Error('cancelled'));
    await expect(
      fallback('x').execute(() => Promise.reject(new Error('whatever')), {
        signal: controller.signal,
      }),
    ).rejects.toThrow('whatever');
  });

  it('keeps the fallback outcome when an event listener throws', async () => {
    const fb = fallback(1);
    fb.on('fallback', () => {
      throw new Error('listener bug');
    });
    await expect(fb.execute(() => Promise.reject(new Error('x')))).resolves.toBe(1);
  });
});
