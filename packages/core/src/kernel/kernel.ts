import { DEADLINE_HEADER, type Logger, REQUEST_ID_HEADER } from '@milkyway/protocol';
import type { Context, MiddlewareHandler, Next } from 'hono';
import type { SecurityHeaders } from '../http/security-headers.js';
import { prepareNodeResponse } from '../node-response.js';
import {
  attachState,
  type NodeOutgoing,
  type RequestState,
  requestState,
  settle,
} from '../request-signal.js';

/** @internal */
export interface KernelOptions {
  logger: Logger;
  defaultDeadlineMs: number;
  maxDeadlineMs: number;
  bodyLimit: MiddlewareHandler | undefined;
  security: SecurityHeaders | undefined;
  /** Renders what a handler threw that Hono's `onError` does not take (non-`Error` values). */
  render: (error: unknown, c: Context) => Response;
  /** The app's current `onError` handler (what Hono's compose would call). */
  onError: (error: Error, c: Context) => Response | Promise<Response>;
}

/** A Hono handler or middleware, as the router stores it. */
export type AnyHandler = (c: Context, next: Next) => unknown;

/**
 * Runs the kernel around the first handler of a request (see {@link KernelRouter}): makes the
 * request id, deadline, lazy signal and logger available on `c.var`, arranges the default response headers,
 * then calls the handler. The handler's own result is returned as is — a synchronous `Response`
 * stays synchronous, so Hono's single-handler fast path and @hono/node-server's synchronous
 * response path still apply to a plain route.
 * @internal
 */
export type Kernel = (c: Context, handler: AnyHandler, next: Next) => unknown;

const VALID_ID = /^[\w.:-]{1,128}$/;
const BUDGET = /^\d{1,10}$/;

type NodeIncoming = { method?: string; headers: Record<string, string | string[] | undefined> };
type NodeEnv = { incoming?: NodeIncoming; outgoing?: NodeOutgoing & { setHeader?: unknown } };

/** Calls a handler the way Hono's compose does: an `Error` goes to `onError`, a result to `c.res`. */
async function invoke(
  c: Context,
  handler: AnyHandler,
  next: Next,
  onError: KernelOptions['onError'],
): Promise<void> {
  let res: unknown;
  let isError = false;
  try {
    res = await handler(c, next);
  } catch (error) {
    if (!(error instanceof Error)) throw error;
    c.error = error;
    res = await onError(error, c);
    isError = true;
  }
  if (res instanceof Response && (!c.finalized || isError)) c.res = res;
}

/** @internal */
export function createKernel(options: KernelOptions): Kernel {
  const { logger, defaultDeadlineMs, maxDeadlineMs, bodyLimit, security, render, onError } =
    options;

  /** Non-`Error` throws bypass Hono's `onError`: render them here (as a middleware kernel did). */
  const renderThrown = (error: unknown, c: Context): Response => {
    if (error instanceof Error) throw error;
    c.res = render(error, c);
    return c.res;
  };

  /**
   * The path for everything but a Node request whose headers are all static: in-process
   * requests, bodies to limit, CSP nonces. Like a middleware around the rest of the chain.
   */
  async function around(
    c: Context,
    handler: AnyHandler,
    next: Next,
    state: RequestState,
    limit: MiddlewareHandler | undefined,
    secure: MiddlewareHandler | undefined,
  ): Promise<Response | undefined> {
    try {
      const inner = () => invoke(c, handler, next, onError);
      // The body limit throws its 413 before the handler runs: render it inside the security
      // headers middleware, so that this error response gets them like every other one.
      const limited =
        limit === undefined
          ? inner
          : () =>
              (limit(c, inner) as Promise<void>).catch((error: unknown) => {
                c.res = render(error, c);
              });
      await (secure === undefined ? limited() : secure(c, limited));
    } catch (error) {
      c.res = render(error, c);
    } finally {
      settle(state);
    }
    if (!c.finalized) return undefined;
    if (state.outgoing === undefined) {
      try {
        c.res.headers.set(REQUEST_ID_HEADER, state.requestId);
      } catch {
        // immutable headers (a proxied fetch response): leave them as they are
      }
    }
    return c.res;
  }

  return function kernel(c, handler, next) {
    const env = c.env as NodeEnv | undefined;
    const incoming = env?.incoming;
    const outgoing = env?.outgoing;
    const node =
      incoming !== undefined && outgoing !== undefined && typeof outgoing.setHeader === 'function';
    let id: string | string[] | null | undefined;
    let budgetHeader: string | string[] | null | undefined;
    if (node) {
      // Node's already-parsed headers: no Fetch Headers object is built for them.
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
    const deadline = Date.now() + budget;
    const staticHeaders = node ? security?.list : undefined;
    const state: RequestState = {
      requestId,
      deadline,
      logger,
      outgoing: node ? outgoing : undefined,
      defaults: staticHeaders,
      controller: undefined,
      timer: undefined,
      honoGet: undefined,
    };
    // requestId, deadline, logger and the lazy signal on c.var / c.get.
    attachState(c, state);
    // On Node, static security headers and the request id are merged at writeHead.
    if (node) prepareNodeResponse(outgoing, state);
    const secure = staticHeaders === undefined ? security?.middleware : undefined;
    // On Node, read from the Node request: `c.req` would build a HonoRequest a hello never needs.
    const method = node ? incoming.method : c.req.method;
    const limit = bodyLimit !== undefined && method !== 'GET' && method !== 'HEAD';
    if (!node || limit || secure !== undefined) {
      return around(c, handler, next, state, limit ? bodyLimit : undefined, secure);
    }

    // The hot path: nothing to do after the handler but stop the deadline timer, if any.
    let result: unknown;
    try {
      result = handler(c, next);
    } catch (error) {
      settle(state);
      return renderThrown(error, c);
    }
    if (result instanceof Promise) {
      return result.then(
        (value) => {
          settle(state);
          return value;
        },
        (error) => {
          settle(state);
          return renderThrown(error, c);
        },
      );
    }
    settle(state);
    return result;
  };
}

/** Where a wrapped handler finds the kernel (set once the service is built). @internal */
export interface KernelSlot {
  kernel: Kernel | undefined;
}

/**
 * Wraps a handler so that the first one a request reaches runs the kernel around itself (and so
 * around everything after it); later ones are called directly.
 * @internal
 */
export function withKernel(handler: AnyHandler, slot: KernelSlot): AnyHandler {
  return function kernelled(c, next) {
    const kernel = slot.kernel;
    return kernel === undefined || requestState(c) !== undefined
      ? handler(c, next)
      : kernel(c, handler, next);
  };
}
