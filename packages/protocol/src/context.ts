import type { Logger } from './logger.js';

/**
 * Protocol 2 — the request-context variables (`c.var`) every package agrees on. Core sets them
 * on each request; middleware from other packages reads them without importing core.
 *
 * @example
 * ```ts
 * import type { RequestVariables } from '@milkyway/protocol';
 *
 * declare const vars: RequestVariables;
 * await fetch('http://inventory/items', { signal: vars.signal });
 * vars.logger.info({ requestId: vars.requestId }, 'fetched');
 * ```
 */
export interface RequestVariables {
  /** The request id: the incoming `x-request-id` when valid, else a random UUID. */
  requestId: string;
  /** Fires when the client goes away or the deadline passes. */
  signal: AbortSignal;
  /** When the request's time budget runs out (epoch ms). */
  deadline: number;
  /** The request's logger (bound to its request id). */
  logger: Logger;
}

/**
 * The variable an authentication middleware sets: present on `c.var` only where such a
 * middleware or guard ran (the type says so too).
 *
 * @example
 * ```ts
 * import type { PrincipalVariables } from '@milkyway/protocol';
 *
 * type Env = { Variables: PrincipalVariables<{ subject: string; scopes: string[] }> };
 * declare const vars: Env['Variables'];
 * console.log(vars.principal.subject);
 * ```
 */
export interface PrincipalVariables<P = unknown> {
  /** Who made the request, as the authentication middleware established it. */
  principal: P;
}
