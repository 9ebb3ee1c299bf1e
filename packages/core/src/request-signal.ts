import { DeadlineExceededError } from '@milkyway/protocol';
import type { Context } from 'hono';
import { HttpError } from './errors/http-error.js';
import { honoContextVars, shadowContextAccessors } from './kernel/hono-bridge.js';

/** The Node response as the kernel sees it (duck-typed: a ServerResponse on @hono/node-server). */
export interface NodeOutgoing {
  writableFinished: boolean;
  destroyed: boolean;
  on(event: 'close', listener: () => void): unknown;
  [kState]?: RequestState;
}

/** What the kernel keeps per request; set once on the context and on the Node response. */
export interface RequestState {
  /** The request id (`x-request-id`). */
  requestId: string;
  /** Epoch ms of the deadline. */
  deadline: number;
  /** The Node response, when served by @hono/node-server (client disconnects are read from it). */
  outgoing: NodeOutgoing | undefined;
  /** Static security headers to merge at `writeHead` on Node, if any. */
  defaults: ReadonlyArray<readonly [string, string]> | undefined;
  /** The controller, once the signal was asked for. */
  controller: AbortController | undefined;
  /** The deadline timer, once armed; cleared when the handlers are done. */
  timer: ReturnType<typeof setTimeout> | undefined;
}

/** Key of the {@link RequestState} on a context (also marks "the kernel has run") and a response. */
export const kState: unique symbol = Symbol('milkyway.requestState');

type StatefulContext = Context & { [kState]?: RequestState };

/** The request state the kernel set on this context, if it ran. */
export function requestState(c: Context): RequestState | undefined {
  return (c as StatefulContext)[kState];
}

const MAX_TIMER = 2_147_483_647;

function onDeadline(controller: AbortController): void {
  controller.abort(new DeadlineExceededError({ reason: 'deadline', source: 'request' }));
}

function clientClosed(): HttpError {
  return new HttpError(499, 'The client closed the request.');
}

/** Response 'close' (only listened to once the signal exists): a close before the end is a disconnect. */
function onOutgoingClose(this: NodeOutgoing): void {
  const state = this[kState];
  if (state === undefined) return;
  if (state.timer !== undefined) clearTimeout(state.timer);
  const controller = state.controller;
  if (controller !== undefined && !this.writableFinished && !controller.signal.aborted)
    controller.abort(clientClosed());
}

/** Stops the deadline timer once the handlers are done (the signal stays usable, unaborted). */
export function settle(state: RequestState): void {
  if (state.timer !== undefined) clearTimeout(state.timer);
}

/**
 * Creating an `AbortSignal` costs ~2.7 µs on Node 20 — more than the whole kernel — and most
 * requests never look at it. So it is created (and its deadline timer armed) on the first read of
 * `c.var.signal` / `c.get('signal')`. Until then nothing per request listens for a disconnect:
 * a late reader learns from the Node response whether the client already went away.
 */
function materialize(c: StatefulContext, honoGet: (key: string) => unknown): AbortSignal {
  const existing = honoGet('signal') as AbortSignal | undefined;
  if (existing !== undefined) return existing;
  const state = c[kState] as RequestState;
  const controller = new AbortController();
  state.controller = controller;
  const outgoing = state.outgoing;
  if (outgoing?.destroyed && !outgoing.writableFinished) {
    controller.abort(clientClosed());
  } else {
    outgoing?.on('close', onOutgoingClose);
    const left = state.deadline - Date.now();
    if (left <= 0) onDeadline(controller);
    else {
      // Unref'd: a signal first read after the response (e.g. by a stream) must not hold the
      // process open until its deadline.
      state.timer = setTimeout(onDeadline, Math.min(left, MAX_TIMER), controller);
      state.timer.unref?.();
    }
  }
  // In-process (`app.request`), the caller's own signal aborts the request too.
  const signal =
    outgoing === undefined
      ? AbortSignal.any([controller.signal, c.req.raw.signal])
      : controller.signal;
  c.set('signal' as never, signal as never);
  return signal;
}

/**
 * Hono keeps `get` as an own arrow function of each context and `var` as a getter on the
 * prototype: both are shadowed on the request's context (through the Hono bridge) so that
 * reading `signal` creates it.
 */
const kHonoGet = Symbol('milkyway.honoGet');
type LazyContext = StatefulContext & { [kHonoGet]: (key: string) => unknown };

/** Hono's `get`, except that reading `signal` creates it. Bound to the context per request. */
function lazyGet(this: LazyContext, key: string): unknown {
  const honoGet = this[kHonoGet];
  const value = honoGet(key);
  return value === undefined && key === 'signal' ? materialize(this, honoGet) : value;
}

/**
 * What `c.var` returns until the signal exists: the context's variables, copied from Hono's own
 * `c.var` object, with `signal` a getter on this class (created on first read). A prototype
 * getter with a private field, not an accessor defined on each returned object: defining one per
 * read sent V8 into a mode where most per-request objects survived scavenges (GC time ~35 ms ->
 * ~1,000 ms over 5 s of load, measured with --trace-gc on a route that reads `c.var`).
 */
class LazySignalVars {
  readonly #c: LazyContext;
  constructor(c: LazyContext, vars: Record<string, unknown>) {
    this.#c = c;
    Object.assign(this, vars);
  }
  get signal(): AbortSignal {
    return materialize(this.#c, this.#c[kHonoGet]);
  }
}

const lazyVar: PropertyDescriptor = {
  configurable: true,
  get(this: LazyContext) {
    const vars = honoContextVars(this) as Record<string, unknown>;
    return vars.signal === undefined ? new LazySignalVars(this, vars) : vars;
  },
};

/**
 * Attaches the request state to the context and makes `signal` available on `c.var` and
 * `c.get` (created on first read). Falls back to an eager signal if Hono's shape ever changes.
 */
export function attachState(c: Context, state: RequestState): void {
  const lazy = c as LazyContext;
  lazy[kState] = state;
  const honoGet = c.get as (key: string) => unknown;
  lazy[kHonoGet] = honoGet;
  // Bound, like Hono's own arrow `get`, so it works detached from `c`. Not an arrow closure: a
  // closure stored on each context sent V8 into a mode where most per-request objects survived
  // scavenges (GC time 60 -> 450 ms per 100k requests, measured with --trace-gc).
  if (!shadowContextAccessors(c, lazyGet.bind(lazy), lazyVar)) {
    c.set('signal' as never, materialize(lazy, honoGet) as never);
  }
}
