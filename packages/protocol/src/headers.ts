/**
 * Protocol 3 — header names every package agrees on.
 *
 * @example
 * ```ts
 * import { REQUEST_ID_HEADER } from '@milkyway/protocol';
 *
 * declare const res: Response;
 * const id = res.headers.get(REQUEST_ID_HEADER); // 'x-request-id'
 * ```
 */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * The REMAINING time budget of a request in milliseconds (like `grpc-timeout`), sent only to
 * upstreams that are trusted to honour it.
 *
 * @example
 * ```ts
 * import { DEADLINE_HEADER } from '@milkyway/protocol';
 *
 * const headers = { [DEADLINE_HEADER]: '250' };
 * ```
 */
export const DEADLINE_HEADER = 'x-deadline-ms';

/**
 * W3C Trace Context headers.
 *
 * @example
 * ```ts
 * import { TRACEPARENT_HEADER, TRACESTATE_HEADER } from '@milkyway/protocol';
 *
 * declare const headers: Headers;
 * const parent = headers.get(TRACEPARENT_HEADER);
 * const state = headers.get(TRACESTATE_HEADER);
 * ```
 */
export const TRACEPARENT_HEADER = 'traceparent';
/** @see {@link TRACEPARENT_HEADER} */
export const TRACESTATE_HEADER = 'tracestate';

/**
 * The header that makes a non-idempotent request safe to retry (IETF draft
 * `Idempotency-Key`).
 *
 * @example
 * ```ts
 * import { IDEMPOTENCY_KEY_HEADER } from '@milkyway/protocol';
 *
 * const headers = { [IDEMPOTENCY_KEY_HEADER]: crypto.randomUUID() };
 * ```
 */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
