/**
 * Headers the HTTP-push transport adds to the CloudEvents HTTP binding: which destination the
 * event was published to (a receiver may consume several), and the sender's attempt number.
 *
 * @example
 * ```ts
 * import { PUSH_ATTEMPT_HEADER, PUSH_DESTINATION_HEADER } from '@milkyway/events/http';
 *
 * const headers = { [PUSH_DESTINATION_HEADER]: 'order.placed.v1', [PUSH_ATTEMPT_HEADER]: '1' };
 * ```
 */
export const PUSH_DESTINATION_HEADER = 'milkyway-destination';
/** @see {@link PUSH_DESTINATION_HEADER} */
export const PUSH_ATTEMPT_HEADER = 'milkyway-attempt';
