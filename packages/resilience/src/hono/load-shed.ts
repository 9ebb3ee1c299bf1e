import type { RequestVariables } from '@milkyway/protocol';
import type { MiddlewareHandler } from 'hono';
import { Bulkhead, type BulkheadOptions } from '../bulkhead/bulkhead.js';

/**
 * Options of {@link loadShed}.
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { loadShed, type LoadShedOptions } from '@milkyway/resilience/hono';
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
 * rejected at once with a `BulkheadRejectedError` (503 + `Retry-After`, rendered as
 * problem+json by core). A queued request leaves the queue when its client disconnects or its
 * deadline passes (`c.var.signal` / `c.var.deadline`, protocol 2).
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { loadShed } from '@milkyway/resilience/hono';
 * const app = new Hono();
 * app.use('/api/*', loadShed({ maxConcurrent: 128, maxQueue: 64 }));
 * ```
 */
export function loadShed(
  options: LoadShedOptions = {},
): MiddlewareHandler<{ Variables: Pick<RequestVariables, 'signal' | 'deadline'> }> {
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
