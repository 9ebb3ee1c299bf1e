import { DeadlineExceededError, type RequestVariables } from '@milkyway/protocol';
import type { MiddlewareHandler } from 'hono';
import { MAX_TIMER_MS } from '../timeout/timer-list.js';

/**
 * A per-route timeout. Replaces `c.var.signal` with one that also aborts (reason: a
 * `DeadlineExceededError`, protocol 11) after `timeoutMs`, tightens `c.var.deadline` (protocol
 * 2), and fails the request with that 504 error when time is up, even if the handler ignores
 * its signal. Pass `c.var.signal` and `c.var.deadline` to the calls a handler makes so they
 * stop too.
 *
 * @example
 * ```ts
 * import type { RequestVariables } from '@milkyway/protocol';
 * import { requestTimeout } from '@milkyway/resilience/hono';
 * import { Hono } from 'hono';
 * declare const db: { query(sql: string, o: { signal: AbortSignal }): Promise<unknown[]> };
 *
 * const app = new Hono<{ Variables: RequestVariables }>();
 * app.get('/report', requestTimeout(2_000), async (c) => {
 *   const rows = await db.query('select 1', { signal: c.var.signal });
 *   return c.json(rows);
 * });
 * ```
 */
export function requestTimeout(
  timeoutMs: number,
): MiddlewareHandler<{ Variables: Pick<RequestVariables, 'signal' | 'deadline'> }> {
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
        const error = new DeadlineExceededError({ timeoutMs, reason, source: c.req.path });
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
