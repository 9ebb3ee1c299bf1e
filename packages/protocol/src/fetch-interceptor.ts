/**
 * Protocol 5 — outbound HTTP interceptors. Called once per attempt, outermost first;
 * `info.attempt` is 0 for the first try. The resilient client runs them; observability (trace
 * context), auth (service tokens) and users provide them, without importing each other.
 *
 * @example
 * ```ts
 * import type { FetchInterceptor } from '@milkyway/protocol';
 *
 * const tagAttempt: FetchInterceptor = (request, next, { attempt }) => {
 *   request.headers.set('x-attempt', String(attempt));
 *   return next(request);
 * };
 * ```
 */
export type FetchInterceptor = (
  request: Request,
  next: (request: Request) => Promise<Response>,
  info: FetchAttemptInfo,
) => Promise<Response>;

/**
 * What an interceptor learns about the attempt it wraps.
 *
 * @example
 * ```ts
 * import type { FetchAttemptInfo } from '@milkyway/protocol';
 *
 * const first: FetchAttemptInfo = { attempt: 0 };
 * ```
 */
export interface FetchAttemptInfo {
  /** 0 for the first try, 1 for the first retry, and so on. */
  attempt: number;
}
