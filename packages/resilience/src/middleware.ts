import type { MiddlewareHandler } from 'hono';
import { Bulkhead, type BulkheadOptions } from './bulkhead.js';
import { TimeoutError } from './timeout-error.js';
import { MAX_TIMER_MS } from './timer-list.js';

/**
 * The request-context variables (protocol 2) these middleware read and set. `@milkyway/core`
 * sets them on every request; on bare Hono they are optional.
 *
 * @example
 * ```ts
 * import type { RequestContextVariables } from '@milkyway/resilience';
 * const remaining = (v: RequestContextVariables) => v.deadline - Date.now();
 * ```
 */
export interface RequestContextVariables {
  /** Fires on client disconnect or deadline. */
  signal: AbortSignal;
  /** Absolute deadline, epoch milliseconds. */
  deadline: number;
}

/**
 * The Hono environment these middleware declare (protocol 2 variables).
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import type { RequestContextEnv } from '@milkyway/resilience';
 * const app = new Hono<RequestContextEnv>();
 * ```
 */
export type RequestContextEnv = { Variables: RequestContextVariables };

/**
 * Options of {@link loadShed}.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { loadShed, type LoadShedOptions } from '@milkyway/resilience';
 * const app = new Hono();
 * const options: LoadShedOptions = { maxConcurrent: 200, maxQueue: 100, retryAfterMs: 2_000 };
 * app.use(loadShed(options));
 * ```
 */
export interface LoadShedOptions extends Partial<BulkheadOptions> {
  /** `Retry-After` sent with the 503 (default 1 000 ms). */
  retryAfterMs?: number;
}

/**
 * Inbound load shedding: a bulkhead around the rest of the request. At most `maxConcurrent`
 * requests run (default 256); up to `maxQueue` wait in FIFO order (default 0); the rest are
 * rejected at once with a {@link BulkheadRejectedError} (503 + `Retry-After`, rendered as
 * problem+json by core). A queued request leaves the queue when its client disconnects or its
 * deadline passes (`c.var.signal` / `c.var.deadline`).
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { loadShed } from '@milkyway/resilience';
 * const app = new Hono();
 * app.use('/api/*', loadShed({ maxConcurrent: 128, maxQueue: 64 }));
 * ```
 */
export function loadShed(options: LoadShedOptions = {}): MiddlewareHandler<RequestContextEnv> {
  const pool = new Bulkhead({
    name: 'inbound',
    maxConcurrent: 256,
    maxQueue: 0,
    retryAfterMs: 1_000,
    ...options,
  });
  return async function loadShed(c, next) {
    await pool.execute(() => next(), { signal: c.get('signal'), deadline: c.get('deadline') });
  };
}

/**
 * Same as {@link loadShed}: a concurrency limit for inbound requests, named after the
 * primitive it uses.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { bulkheadMiddleware } from '@milkyway/resilience';
 * const app = new Hono();
 * app.use('/reports/*', bulkheadMiddleware({ maxConcurrent: 4, maxQueue: 8 }));
 * ```
 */
export const bulkheadMiddleware: (
  options?: LoadShedOptions,
) => MiddlewareHandler<RequestContextEnv> = loadShed;

/**
 * A per-route timeout. Replaces `c.var.signal` with one that also aborts (reason: a
 * {@link TimeoutError}) after `timeoutMs`, tightens `c.var.deadline`, and fails the request with
 * that 504 error when time is up, even if the handler ignores its signal. Pass `c.var.signal`
 * and `c.var.deadline` to the calls a handler makes so they stop too.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { requestTimeout, type RequestContextEnv } from '@milkyway/resilience';
 * declare const db: { query(sql: string, o: { signal: AbortSignal }): Promise<unknown[]> };
 *
 * const app = new Hono<RequestContextEnv>();
 * app.get('/report', requestTimeout(2_000), async (c) => {
 *   const rows = await db.query('select 1', { signal: c.var.signal });
 *   return c.json(rows);
 * });
 * ```
 */
export function requestTimeout(timeoutMs: number): MiddlewareHandler<RequestContextEnv> {
  if (!(timeoutMs > 0) || !(timeoutMs <= MAX_TIMER_MS)) {
    throw new RangeError(`timeout must be between 0 and ${MAX_TIMER_MS} milliseconds`);
  }
  return async function requestTimeout(c, next) {
    const now = Date.now();
    const outer = c.get('signal') as AbortSignal | undefined;
    const outerDeadline = c.get('deadline') as number | undefined;
    let deadline = now + timeoutMs;
    let reason: 'timeout' | 'deadline' = 'timeout';
    if (outerDeadline !== undefined && outerDeadline < deadline) {
      deadline = outerDeadline;
      reason = 'deadline';
    }
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(outer?.reason);
    if (outer?.aborted) controller.abort(outer.reason);
    else outer?.addEventListener('abort', onOuterAbort, { once: true });
    c.set('signal', controller.signal);
    c.set('deadline', deadline);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const expired = new Promise<never>((_, reject) => {
      const fire = () => {
        const error = new TimeoutError({ timeoutMs, reason, name: c.req.path });
        controller.abort(error);
        reject(error);
      };
      timer = setTimeout(fire, Math.max(0, deadline - now));
    });
    const handled = next();
    handled.catch(() => {});
    expired.catch(() => {});
    try {
      await Promise.race([handled, expired]);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  };
}
