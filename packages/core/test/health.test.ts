import { describe, expect, it, vi } from 'vitest';
import { createService, silentLogger } from '../src/index.js';

const quiet = () => createService({ name: 't', version: '0', logger: silentLogger });

describe('health', () => {
  it('answers /livez with 200 while the process serves', async () => {
    const res = await quiet().request('/livez');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
  });

  it('answers /readyz with 200 and each check state when all checks pass', async () => {
    const service = quiet().readiness('db', async () => {});
    const res = await service.request('/readyz');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'ok',
      checks: { db: { status: 'ok', durationMs: expect.any(Number) } },
    });
  });

  it('answers /readyz with 503 and lists the failing check', async () => {
    const service = quiet()
      .readiness('db', () => {})
      .readiness('cache', () => {
        throw new Error('ECONNREFUSED 10.0.0.3:6379');
      });
    const res = await service.request('/readyz');
    expect(res.status).toBe(503);
    const body = await res.json();
    expect(body.status).toBe('fail');
    expect(body.checks.db.status).toBe('ok');
    expect(body.checks.cache).toMatchObject({ status: 'fail', error: 'failed' });
    expect(JSON.stringify(body)).not.toContain('10.0.0.3');
  });

  it('fails a check that exceeds its timeout and aborts its signal', async () => {
    vi.useFakeTimers();
    try {
      let signal: AbortSignal | undefined;
      const service = quiet().readiness(
        'slow',
        (s) => {
          signal = s;
          return new Promise(() => {});
        },
        { timeoutMs: 200 },
      );
      const pending = service.request('/readyz');
      await vi.advanceTimersByTimeAsync(200);
      const res = await pending;
      expect(res.status).toBe(503);
      expect((await res.json()).checks.slow).toMatchObject({ status: 'fail', error: 'timeout' });
      expect(signal?.aborted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });

  it('turns readiness to 503 as soon as shutdown begins', async () => {
    const service = quiet();
    expect((await service.request('/readyz')).status).toBe(200);
    const closing = service.close();
    const res = await service.request('/readyz');
    expect(res.status).toBe(503);
    expect((await res.json()).reason).toBe('shutting down');
    await closing;
  });

  it('keeps health endpoints out of the error-free caches', async () => {
    const res = await quiet().request('/readyz');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('can move or turn off the health endpoints', async () => {
    const moved = createService({
      name: 't',
      version: '0',
      logger: silentLogger,
      health: { livePath: '/healthz' },
    });
    expect((await moved.request('/healthz')).status).toBe(200);
    const off = createService({ name: 't', version: '0', logger: silentLogger, health: false });
    expect((await off.request('/livez')).status).toBe(404);
  });
});
