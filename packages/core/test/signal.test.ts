import { request as httpRequest } from 'node:http';
import { DeadlineExceededError } from '@milkyway/protocol';
import { describe, expect, it, vi } from 'vitest';
import { createService, HttpError, silentLogger } from '../src/index.js';
import { honoContextVars } from '../src/kernel/hono-bridge.js';

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

const quiet = () => createService({ name: 't', version: '0', logger: silentLogger });

describe('the request signal', () => {
  it('is the same signal through c.var and c.get', async () => {
    const service = quiet();
    let same = false;
    service.get('/s', (c) => {
      const first = c.var.signal;
      same = first === c.get('signal') && first === c.var.signal;
      return c.text('ok');
    });
    await service.request('/s');
    expect(same).toBe(true);
  });

  it('is created on its first read, not when c.var is read for other variables', async () => {
    const service = quiet();
    const seen: Record<string, unknown> = {};
    service.get(
      '/s',
      async (c, next) => {
        c.set('tenant' as never, 'acme' as never);
        await next();
      },
      (c) => {
        const vars = c.var as Record<string, unknown>;
        seen.tenant = vars.tenant;
        seen.requestId = vars.requestId;
        seen.keys = Object.keys(vars);
        seen.before = honoContextVars(c)?.signal;
        seen.signal = vars.signal;
        seen.after = honoContextVars(c)?.signal;
        return c.text('ok');
      },
    );
    const res = await service.request('/s');
    expect(seen.tenant).toBe('acme');
    expect(seen.requestId).toBe(res.headers.get('x-request-id'));
    expect(seen.keys).toEqual(expect.arrayContaining(['tenant', 'requestId', 'deadline']));
    expect(seen.before).toBeUndefined();
    expect(seen.signal).toBeInstanceOf(AbortSignal);
    expect(seen.after).toBe(seen.signal);
  });

  it('is a real AbortSignal usable with AbortSignal.any', async () => {
    const service = quiet();
    let combined: AbortSignal | undefined;
    service.get('/s', (c) => {
      expect(c.var.signal).toBeInstanceOf(AbortSignal);
      combined = AbortSignal.any([c.var.signal, new AbortController().signal]);
      return c.text('ok');
    });
    await service.request('/s');
    expect(combined?.aborted).toBe(false);
  });

  it('lets middleware replace the signal for what follows', async () => {
    const service = quiet();
    const replacement = new AbortController();
    service.use(async (c, next) => {
      c.set('signal', replacement.signal);
      await next();
    });
    let seen: AbortSignal | undefined;
    service.get('/s', (c) => {
      seen = c.var.signal;
      return c.text('ok');
    });
    await service.request('/s');
    expect(seen).toBe(replacement.signal);
  });

  it('is already aborted with a 504 reason when first read after the deadline', async () => {
    vi.useFakeTimers();
    try {
      const service = quiet();
      let reason: unknown;
      let entered!: () => void;
      const inside = new Promise<void>((r) => {
        entered = r;
      });
      const later = deferred();
      service.get('/late', async (c) => {
        entered();
        await later.promise;
        reason = c.var.signal.aborted ? c.var.signal.reason : undefined;
        return c.text('done');
      });
      const pending = service.request('/late', { headers: { 'x-deadline-ms': '100' } });
      await inside;
      await vi.advanceTimersByTimeAsync(150);
      later.resolve();
      await pending;
      expect(DeadlineExceededError.is(reason) && reason.status).toBe(504);
    } finally {
      vi.useRealTimers();
    }
  });

  it('aborts with a 499 reason when the client disconnects (real socket)', async () => {
    const service = quiet();
    const entered = deferred();
    const aborted = deferred<unknown>();
    service.get('/hang', async (c) => {
      c.var.signal.addEventListener('abort', () => aborted.resolve(c.var.signal.reason));
      entered.resolve();
      await new Promise(() => {});
      return c.text('never');
    });
    const { port } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    try {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/hang' });
      req.on('error', () => {});
      req.end();
      await entered.promise;
      req.destroy();
      const reason = await aborted.promise;
      expect(HttpError.is(reason) && reason.status).toBe(499);
    } finally {
      await (service as { close(): Promise<void> }).close();
    }
  }, 10_000);

  it('is already aborted when first read after the client disconnected (real socket)', async () => {
    const service = quiet();
    const entered = deferred();
    const closed = deferred();
    const proceed = deferred();
    const observed = deferred<boolean>();
    service.get('/late', async (c) => {
      (c.env as { outgoing: { on(e: string, f: () => void): void } }).outgoing.on('close', () =>
        closed.resolve(),
      );
      entered.resolve();
      await proceed.promise;
      observed.resolve(c.var.signal.aborted);
      return c.text('too late');
    });
    const { port } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    try {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/late' });
      req.on('error', () => {});
      req.end();
      await entered.promise;
      req.destroy();
      await closed.promise;
      proceed.resolve();
      expect(await observed.promise).toBe(true);
    } finally {
      await (service as { close(): Promise<void> }).close();
    }
  }, 10_000);
});

describe('response headers on Node', () => {
  it('does not duplicate a security header the response sets with another casing', async () => {
    const service = quiet();
    service.get('/embed', (c) => c.body('x', 200, { 'X-Frame-Options': 'SAMEORIGIN' }));
    const { url } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    try {
      const res = await fetch(`${url}/embed`);
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(res.headers.get('x-request-id')).toBeTruthy();
    } finally {
      await service.close();
    }
  });

  it('keeps a request id the response chose', async () => {
    const service = quiet();
    service.get('/id', (c) => c.text('x', 200, { 'x-request-id': 'chosen' }));
    const { url } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    try {
      expect((await fetch(`${url}/id`)).headers.get('x-request-id')).toBe('chosen');
    } finally {
      await service.close();
    }
  });

  it('adds the headers to streamed and error responses', async () => {
    const service = quiet();
    service.get('/stream', (c) =>
      c.body(
        new ReadableStream({
          start: (ctl) => {
            ctl.enqueue(new TextEncoder().encode('chunk'));
            ctl.close();
          },
        }),
      ),
    );
    const { url } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    try {
      const streamed = await fetch(`${url}/stream`);
      expect(await streamed.text()).toBe('chunk');
      expect(streamed.headers.get('x-content-type-options')).toBe('nosniff');
      const missing = await fetch(`${url}/missing`, { headers: { 'x-request-id': 'r-9' } });
      expect(missing.status).toBe(404);
      expect(missing.headers.get('x-request-id')).toBe('r-9');
      expect(missing.headers.get('x-frame-options')).toBe('DENY');
    } finally {
      await service.close();
    }
  });
});
