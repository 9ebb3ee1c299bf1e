import { DeadlineExceededError } from '@milkyway/protocol';
import type { Context } from 'hono';
import { HttpError } from './errors/http-error.js';
import { shadowContextGet, wrapContextVar } from './kernel/hono-bridge.js';

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
  /** The service logger (`c.var.logger`). */
  logger: unknown;
  /** The Node response, when served by @hono/node-server (client disconnects are read from it). */
  outgoing: NodeOutgoing | undefined;
  /** Static security headers to merge at `writeHead` on Node, if any. */
  defaults: ReadonlyArray<readonly [string, string]> | undefined;
  /** The controller, once the signal was asked for. */
  controller: AbortController | undefined;
  /** The deadline timer, once armed; cleared when the handlers are done. */
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Hono's own `c.get` of the context (shadowed by the kernel's), or undefined if not shadowed. */
  honoGet: ((key: string) => unknown) | undefined;
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
function materialize(c: StatefulContext, state: RequestState): AbortSignal {
  // Created already, or set by a middleware (then it is theirs to keep).
  const existing = state.honoGet?.('signal') as AbortSignal | undefined;
  if (existing !== undefined) return existing;
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
 * The kernel's variables are not put into Hono's variable map (a `Map` and three `set`s per
 * request): `c.get` and `c.var` fall back to them when the map has no value of that name, so
 * `c.set` still overrides any of them. `signal` is created on first read.
 */
function kernelVariable(c: StatefulContext, state: RequestState, key: string): unknown {
  switch (key) {
    case 'requestId':
      return state.requestId;
    case 'deadline':
      return state.deadline;
    case 'logger':
      return state.logger;
    case 'signal':
      return materialize(c, state);
    default:
      return undefined;
  }
}

/**
 * Hono's `get`, falling back to the kernel's variables. Bound to the context per request, like
 * Hono's own arrow `get`, so that it works detached from `c`. Not an arrow closure: a closure
 * stored on each context sent V8 into a mode where most per-request objects survived scavenges
 * (GC time 60 -> 450 ms per 100k requests, measured with --trace-gc).
 */
function kernelGet(this: StatefulContext, key: string): unknown {
  const state = this[kState] as RequestState;
  const value = (state.honoGet as (key: string) => unknown)(key);
  return value === undefined ? kernelVariable(this, state, key) : value;
}

/**
 * What `c.var` returns for a context the kernel ran on: the kernel's variables, then the
 * context's own (copied from Hono's `c.var` object, so a `c.set` wins), with `signal` a getter
 * on this class until it exists (created on first read). A prototype getter with a private
 * field, not an accessor defined on each returned object: defining one per read sent V8 into a
 * mode where most per-request objects survived scavenges (GC time ~35 ms -> ~1,000 ms over 5 s
 * of load, measured with --trace-gc on a route that reads `c.var`).
 */
class KernelVars {
  readonly #c: StatefulContext;
  constructor(c: StatefulContext, state: RequestState, vars: Record<string, unknown>) {
    this.#c = c;
    const self = this as unknown as Record<string, unknown>;
    self.requestId = state.requestId;
    self.deadline = state.deadline;
    self.logger = state.logger;
    Object.assign(this, vars);
  }
  get signal(): AbortSignal {
    const c = this.#c;
    return materialize(c, c[kState] as RequestState);
  }
}

/** `c.var` of a context: Hono's own object, or the kernel's view of it once the kernel ran. */
function kernelVar(c: Context, vars: Record<string, unknown>): Record<string, unknown> {
  const state = (c as StatefulContext)[kState];
  if (state?.honoGet === undefined) return vars;
  if (vars.signal !== undefined) {
    // The signal exists (or a middleware set one): a plain object, like Hono's.
    return {
      requestId: state.requestId,
      deadline: state.deadline,
      logger: state.logger,
      ...vars,
    };
  }
  return new KernelVars(c as StatefulContext, state, vars) as unknown as Record<string, unknown>;
}

/**
 * Attaches the request state to the context and makes the kernel's variables (`requestId`,
 * `deadline`, `logger`, and `signal`, created on first read) available on `c.var` and `c.get`.
 * Falls back to setting them eagerly if Hono's shape ever changes.
 */
export function attachState(c: Context, state: RequestState): void {
  (c as StatefulContext)[kState] = state;
  const honoGet = c.get as (key: string) => unknown;
  if (wrapContextVar(c, kernelVar) && shadowContextGet(c, kernelGet.bind(c as StatefulContext))) {
    state.honoGet = honoGet;
    return;
  }
  c.set('requestId' as never, state.requestId as never);
  c.set('deadline' as never, state.deadline as never);
  c.set('logger' as never, state.logger as never);
  c.set('signal' as never, materialize(c as StatefulContext, state) as never);
}
