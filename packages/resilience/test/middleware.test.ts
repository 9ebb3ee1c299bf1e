import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadShed, requestTimeout } from '../src/hono.js';
import { app } from './hono-app.js';

describe('loadShed', () => {
  it('answers 503 with Retry-After when every slot is busy', async () => {
    const hono = app();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    hono.use(loadShed({ maxConcurrent: 1, retryAfterMs: 2_000 }));
    hono.get('/', async (c) => {
      await gate;
      return c.text('done');
    });
    const first = hono.request('/');
    await new Promise((r) => setImmediate(r));
    const shed = await hono.request('/');
    expect(shed.status).toBe(503);
    expect(shed.headers.get('retry-after')).toBe('2');
    release();
    expect((await first).status).toBe(200);
  });

  it('queues requests in FIFO order when a queue is configured', async () => {
    const hono = app();
    const order: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    hono.use(loadShed({ maxConcurrent: 1, maxQueue: 2 }));
    hono.get('/:n', async (c) => {
      const n = Number(c.req.param('n'));
      if (n === 0) await gate;
      order.push(n);
      return c.text('ok');
    });
    const all = [0, 1, 2].map((n) => hono.request(`/${n}`));
    await new Promise((r) => setImmediate(r));
    release();
    const statuses = (await Promise.all(all)).map((r) => r.status);
    expect(statuses).toEqual([200, 200, 200]);
    expect(order).toEqual([0, 1, 2]);
  });
});

describe('requestTimeout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("aborts the handler's signal and answers 504 when time is up", async () => {
    const hono = app();
    let seen: AbortSignal | undefined;
    hono.get('/slow', requestTimeout(100), async (c) => {
      seen = c.var.signal;
      await new Promise((r) => setTimeout(r, 1_000));
      return c.text('late');
    });
    const pending = hono.request('/slow');
    await vi.advanceTimersByTimeAsync(100);
    const res = await pending;
    expect(res.status).toBe(504);
    expect(seen?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(1_000);
  });

  it('tightens c.var.deadline but never extends it', async () => {
    const now = Date.now();
    const hono = app({ deadline: now + 50 });
    let deadline = 0;
    hono.get('/', requestTimeout(1_000), (c) => {
      deadline = c.var.deadline;
      return c.text('ok');
    });
    await hono.request('/');
    expect(deadline).toBe(now + 50);
  });

  it('lets a fast handler answer normally', async () => {
    const hono = app();
    hono.get('/', requestTimeout(100), (c) => c.text('fast'));
    const res = await hono.request('/');
    expect(await res.text()).toBe('fast');
  });

  it('follows the outer signal when the client disconnects', async () => {
    const outer = new AbortController();
    const hono = app({ signal: outer.signal });
    let seen: AbortSignal | undefined;
    hono.get('/', requestTimeout(1_000), async (c) => {
      seen = c.var.signal;
      outer.abort(new Error('gone'));
      return c.text('ok');
    });
    await hono.request('/');
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toEqual(new Error('gone'));
  });
});
