import { Context, type MiddlewareHandler } from 'hono';
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
const kState = Symbol('milkyway.requestState');
const kHonoGet = Symbol('milkyway.honoGet');

/** What the kernel keeps per request to build the signal when someone first asks for it. */
interface RequestState {
  /** Epoch ms of the deadline. */
  deadline: number;
  /** The controller, once the signal was asked for. */
  controller: AbortController | undefined;
  /** The deadline timer, once armed. */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The client went away before the signal was asked for. */
  gone: boolean;
  /** The caller's own signal (requests made in-process with `app.request`). */
  raw: AbortSignal | undefined;
  /** The request id (written with the response headers on Node). */
  requestId: string;
  /** Static security headers to add at `writeHead` on Node, if any. */
  defaults: ReadonlyArray<readonly [string, string]> | undefined;
}

type NodeIncoming = { headers: Record<string, string | string[] | undefined> };
type NodeOutgoing = {
  writableFinished: boolean;
  setHeader(name: string, value: string): unknown;
  hasHeader(name: string): boolean;
  on(event: 'close', listener: () => void): unknown;
  writeHead: (...args: unknown[]) => unknown;
  [kState]?: RequestState;
};

/**
 * Adds the request id and the default security headers to the header object @hono/node-server
 * passes to `writeHead`, unless the response (or an earlier `setHeader`) set them: one
 * validation pass by Node instead of a `setHeader` per header. Installed per response.
 */
function writeHeadWithDefaults(this: NodeOutgoing, ...args: unknown[]): unknown {
  const state = this[kState] as RequestState;
  const last = args[args.length - 1];
  if (args.length >= 2 && typeof last === 'object' && last !== null && !Array.isArray(last)) {
    const headers = last as Record<string, unknown>;
    // Keys are lower case (Headers) except node-server's own Content-Length; a response built
    // from a plain object may keep the user's casing: then compare case-insensitively.
    let present: Set<string> | undefined;
    for (const key in headers) {
      if (key !== 'Content-Length' && UPPER.test(key)) {
        present = new Set();
        for (const k in headers) present.add(k.toLowerCase());
        break;
      }
    }
    const defaults = state.defaults;
    if (defaults !== undefined) {
      for (let i = 0; i < defaults.length; i++) {
        const entry = defaults[i] as readonly [string, string];
        const name = entry[0];
        if (headers[name] === undefined && !present?.has(name) && !this.hasHeader(name))
          headers[name] = entry[1];
      }
    }
    if (
      headers[REQUEST_ID_HEADER] === undefined &&
      !present?.has(REQUEST_ID_HEADER) &&
      !this.hasHeader(REQUEST_ID_HEADER)
    ) {
      headers[REQUEST_ID_HEADER] = state.requestId;
    }
  } else {
    for (const [name, value] of state.defaults ?? [])
      if (!this.hasHeader(name)) this.setHeader(name, value);
    if (!this.hasHeader(REQUEST_ID_HEADER)) this.setHeader(REQUEST_ID_HEADER, state.requestId);
  }
  return nodeWriteHead?.apply(this, args as never);
}

const UPPER = /[A-Z]/;

let nodeWriteHead: ((...args: unknown[]) => unknown) | undefined;

type LazyContext = Context & { [kState]: RequestState; [kHonoGet]: (key: string) => unknown };

function onDeadline(controller: AbortController): void {
  controller.abort(new HttpError(504, 'The request deadline was exceeded.'));
}

function clientClosed(): HttpError {
  return new HttpError(499, 'The client closed the request.');
}

function onOutgoingClose(this: NodeOutgoing): void {
  const state = this[kState];
  if (state === undefined || this.writableFinished) return;
  const controller = state.controller;
  if (controller === undefined) state.gone = true;
  else if (!controller.signal.aborted) controller.abort(clientClosed());
}

/**
 * Creating an `AbortSignal` costs ~2.4 µs on Node 20, more than the rest of the kernel, and
 * most requests never look at it. So the signal is created (and its deadline timer armed) the
 * first time `c.var.signal` / `c.get('signal')` is read; until then a client disconnect is only
 * noted, and a late reader gets an already-aborted signal. Hono keeps `get` as an own property
 * of each context and `var` as a getter on the prototype: the kernel shadows both on the
 * request's context (falls back to an eager signal if Hono's shape ever changes).
 */
const honoVar = Object.getOwnPropertyDescriptor(Context.prototype, 'var')?.get;

function materialize(c: LazyContext): AbortSignal {
  const existing = c[kHonoGet]('signal') as AbortSignal | undefined;
  if (existing !== undefined) return existing;
  const state = c[kState];
  const controller = new AbortController();
  state.controller = controller;
  if (state.gone) controller.abort(clientClosed());
  else {
    const left = state.deadline - Date.now();
    if (left <= 0) onDeadline(controller);
    else {
      // Unref'd: a signal first read after the response (e.g. by a stream) must not hold the
      // process open until its deadline.
      state.timer = setTimeout(onDeadline, Math.min(left, MAX_TIMER), controller);
      state.timer.unref?.();
    }
  }
  const signal = state.raw ? AbortSignal.any([controller.signal, state.raw]) : controller.signal;
  c.set('signal' as never, signal as never);
  return signal;
}

const lazyVar: PropertyDescriptor = {
  configurable: true,
  get(this: LazyContext) {
    const vars = (honoVar as () => Record<string, unknown>).call(this);
    if (vars.signal === undefined) {
      Object.defineProperty(vars, 'signal', {
        configurable: true,
        enumerable: true,
        get: () => materialize(this),
      });
    }
    return vars;
  },
};

/**
 * The per-request kernel: request id, deadline and (lazy) signal, security headers, body limit
 * for requests that may carry a body, and rendering of thrown non-Error values. Built once per
 * service.
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
    const deadline = Date.now() + budget;
    const state: RequestState = {
      deadline,
      controller: undefined,
      timer: undefined,
      gone: false,
      raw: node ? undefined : c.req.raw.signal,
      requestId,
      defaults: undefined,
    };
    const lazy = c as LazyContext;
    if (honoVar !== undefined && Object.hasOwn(c, 'get')) {
      lazy[kState] = state;
      const honoGet = c.get as (key: string) => unknown;
      lazy[kHonoGet] = honoGet;
      // Like Hono's own `get`, an arrow function: it works detached from `c` too.
      (c as { get: unknown }).get = (key: string) => {
        const value = honoGet(key);
        return value === undefined && key === 'signal' ? materialize(lazy) : value;
      };
      Object.defineProperty(c, 'var', lazyVar);
    } else {
      lazy[kState] = state;
      lazy[kHonoGet] = () => undefined;
      c.set('signal', materialize(lazy));
    }
    // On Node, response headers go straight onto the ServerResponse (merged at writeHead, where
    // the Response's own headers win): no Headers object to edit after the handler.
    let slowSecurity = security;
    if (node) {
      outgoing[kState] = state;
      outgoing.on('close', onOutgoingClose);
      const list = security?.list;
      if (list !== undefined) {
        state.defaults = list;
        slowSecurity = undefined;
      }
      nodeWriteHead ??= Object.getPrototypeOf(outgoing).writeHead;
      outgoing.writeHead = writeHeadWithDefaults;
    }
    c.set('requestId', requestId);
    c.set('deadline', deadline);
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
      if (state.timer !== undefined) clearTimeout(state.timer);
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
