import type { Context, MiddlewareHandler } from 'hono';
import { HttpError } from './http-error.js';
import type { Logger } from './logger.js';
import type { SecurityHeaders } from './security-headers.js';

/**
 * Header carrying the request id, accepted when valid and always echoed.
 *
 * @example
 * ```ts
 * const id = res.headers.get(REQUEST_ID_HEADER); // 'x-request-id'
 * ```
 */
export const REQUEST_ID_HEADER = 'x-request-id';
/**
 * Header carrying the REMAINING time budget of a request in milliseconds (like grpc-timeout).
 *
 * @example
 * ```ts
 * await fetch(url, { headers: { [DEADLINE_HEADER]: String(remainingMs(c)) } });
 * ```
 */
export const DEADLINE_HEADER = 'x-deadline-ms';

/**
 * Variables core sets on every request's context (`c.var`).
 *
 * @example
 * ```ts
 * service.get('/slow', async (c) => {
 *   const res = await fetch('http://inventory/items', { signal: c.var.signal });
 *   c.var.logger.info({ requestId: c.var.requestId }, 'fetched');
 *   return c.json(await res.json());
 * });
 * ```
 */
export interface ServiceVariables {
  /** The request id: the incoming `x-request-id` when valid, else a random UUID. Echoed in the response. */
  requestId: string;
  /** Fires when the client goes away or the deadline passes; pass it to downstream calls. */
  signal: AbortSignal;
  /** When the request's time budget runs out (epoch ms). */
  deadline: number;
  /** The service's logger. */
  logger: Logger;
}

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
 * import { remainingMs } from '@milkyway/core';
 *
 * if (remainingMs(c) < 50) throw new HttpError(503, 'not enough time left');
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
 * import { propagationHeaders } from '@milkyway/core';
 *
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

/** @internal */
export interface KernelOptions {
  logger: Logger;
  defaultDeadlineMs: number;
  maxDeadlineMs: number;
  bodyLimit: MiddlewareHandler | undefined;
  security: SecurityHeaders | undefined;
  render: (error: unknown, c: Context) => Response;
}

const VALID_ID = /^[\w.:-]{1,128}$/;
const BUDGET = /^\d{1,10}$/;
const MAX_TIMER = 2_147_483_647;
const kController = Symbol('milkyway.requestController');

type NodeIncoming = { headers: Record<string, string | string[] | undefined> };
type NodeOutgoing = {
  writableFinished: boolean;
  setHeader(name: string, value: string): unknown;
  on(event: 'close', listener: () => void): unknown;
  [kController]?: AbortController;
};

function onDeadline(controller: AbortController): void {
  controller.abort(new HttpError(504, 'The request deadline was exceeded.'));
}

function onOutgoingClose(this: NodeOutgoing): void {
  const controller = this[kController];
  if (controller && !this.writableFinished && !controller.signal.aborted) {
    controller.abort(new HttpError(499, 'The client closed the request.'));
  }
}

/**
 * The per-request kernel: request id, deadline and signal, security headers, body limit for
 * requests that may carry a body, and rendering of thrown non-Error values. Built once per service.
 * @internal
 */
export function createKernel(options: KernelOptions): MiddlewareHandler {
  const { logger, defaultDeadlineMs, maxDeadlineMs, bodyLimit, security, render } = options;

  return async function milkyway(c, next) {
    const env = c.env as { incoming?: NodeIncoming; outgoing?: NodeOutgoing } | undefined;
    const incoming = env?.incoming;
    const outgoing = env?.outgoing;
    const node =
      incoming !== undefined && outgoing !== undefined && typeof outgoing.setHeader === 'function';
    let id: string | string[] | null | undefined;
    let budgetHeader: string | string[] | null | undefined;
    if (node) {
      id = incoming.headers[REQUEST_ID_HEADER];
      budgetHeader = incoming.headers[DEADLINE_HEADER];
    } else {
      const headers = c.req.raw.headers;
      id = headers.get(REQUEST_ID_HEADER);
      budgetHeader = headers.get(DEADLINE_HEADER);
    }
    const requestId = typeof id === 'string' && VALID_ID.test(id) ? id : crypto.randomUUID();
    let budget = defaultDeadlineMs;
    if (typeof budgetHeader === 'string' && BUDGET.test(budgetHeader)) {
      budget = Math.min(Number(budgetHeader), maxDeadlineMs);
    }
    if (budget > MAX_TIMER) budget = MAX_TIMER;
    const controller = new AbortController();
    const timer = setTimeout(onDeadline, budget, controller);
    let signal = controller.signal;
    // On Node, response headers go straight onto the ServerResponse (merged at writeHead, where
    // the Response's own headers win): no Headers object to edit after the handler.
    let slowSecurity = security;
    if (node) {
      outgoing[kController] = controller;
      outgoing.on('close', onOutgoingClose);
      outgoing.setHeader(REQUEST_ID_HEADER, requestId);
      const list = security?.list;
      if (list !== undefined) {
        for (let i = 0; i < list.length; i++) {
          const entry = list[i] as [string, string];
          outgoing.setHeader(entry[0], entry[1]);
        }
        slowSecurity = undefined;
      }
    } else {
      const raw = c.req.raw.signal;
      if (raw) signal = AbortSignal.any([signal, raw]);
    }
    c.set('requestId', requestId);
    c.set('signal', signal);
    c.set('deadline', Date.now() + budget);
    c.set('logger', logger);
    try {
      const method = c.req.method;
      if (bodyLimit !== undefined && method !== 'GET' && method !== 'HEAD') {
        await bodyLimit(
          c,
          slowSecurity === undefined
            ? next
            : () => slowSecurity.middleware(c, next) as Promise<void>,
        );
      } else if (slowSecurity !== undefined) {
        await slowSecurity.middleware(c, next);
      } else {
        await next();
      }
    } catch (error) {
      // Errors that are not `Error` instances bypass Hono's onError: render them here.
      c.res = render(error, c);
    } finally {
      clearTimeout(timer);
    }
    if (!node) {
      try {
        c.res.headers.set(REQUEST_ID_HEADER, requestId);
      } catch {
        // immutable headers (a proxied fetch response): leave them as they are
      }
    }
  };
}
