import { DEADLINE_HEADER, REQUEST_ID_HEADER, type RequestVariables } from '@milkyway/protocol';
import type { Context } from 'hono';

/**
 * Variables core sets on every request's context (`c.var`): the protocol's
 * `RequestVariables` (`requestId`, `signal`, `deadline`, `logger`).
 *
 * @example
 * ```ts
 * import type { Service } from '@milkyway/core';
 *
 * declare const service: Service;
 * service.get('/slow', async (c) => {
 *   const res = await fetch('http://inventory/items', { signal: c.var.signal });
 *   c.var.logger.info({ requestId: c.var.requestId }, 'fetched');
 *   return c.json(await res.json());
 * });
 * ```
 */
export type ServiceVariables = RequestVariables;

/**
 * The Hono `Env` of a Milkyway service: handlers see {@link ServiceVariables} on `c.var`.
 *
 * @example
 * ```ts
 * import type { ServiceEnv } from '@milkyway/core';
 * import { createMiddleware } from 'hono/factory';
 *
 * export const audit = createMiddleware<ServiceEnv>(async (c, next) => {
 *   c.var.logger.info({ requestId: c.var.requestId }, 'audit');
 *   await next();
 * });
 * ```
 */
export type ServiceEnv = { Variables: ServiceVariables };

/**
 * Milliseconds left before the request's deadline (never negative).
 *
 * @example
 * ```ts
 * import { HttpError, remainingMs, type ServiceEnv } from '@milkyway/core';
 * import { createMiddleware } from 'hono/factory';
 *
 * export const needsTime = createMiddleware<ServiceEnv>(async (c, next) => {
 *   if (remainingMs(c) < 50) throw new HttpError(503, 'not enough time left');
 *   await next();
 * });
 * ```
 */
export function remainingMs(c: Context<ServiceEnv> | Context): number {
  const deadline = c.get('deadline' as never) as number | undefined;
  return deadline === undefined ? Number.POSITIVE_INFINITY : Math.max(0, deadline - Date.now());
}

/**
 * Headers to propagate the request context to a downstream call: `x-request-id` and the
 * remaining budget as `x-deadline-ms`.
 *
 * @example
 * ```ts
 * import { propagationHeaders, type ServiceEnv } from '@milkyway/core';
 * import type { Context } from 'hono';
 *
 * declare const c: Context<ServiceEnv>;
 * await fetch('http://inventory/items', { headers: propagationHeaders(c), signal: c.var.signal });
 * ```
 */
export function propagationHeaders(c: Context<ServiceEnv> | Context): Record<string, string> {
  const out: Record<string, string> = {};
  const id = c.get('requestId' as never) as string | undefined;
  if (id) out[REQUEST_ID_HEADER] = id;
  const left = remainingMs(c);
  if (Number.isFinite(left)) out[DEADLINE_HEADER] = String(Math.floor(left));
  return out;
}
