/**
 * Why a message cannot be handled, ever: it goes to the dead letter at once, with this reason.
 *
 * - `missing-attributes`: a required CloudEvents attribute (`id`, `source`, `specversion`,
 *   `type`) is absent.
 * - `invalid-attribute`: an attribute is malformed (bad `time`, bad percent-encoding,
 *   unsupported `specversion`, ...).
 * - `unsupported-content-type`: the data is not JSON.
 * - `too-large`: the data exceeds the consumer's `maxMessageBytes`.
 * - `wrong-type`: the `type` is not one the consumer subscribed to on that destination.
 * - `invalid-json`: the data is not valid UTF-8 JSON.
 * - `schema`: the payload fails the topic's schema.
 * - `max-deliveries`: the broker delivered it more often than allowed (earlier attempts
 *   crashed or ran past their ack deadline).
 *
 * @example
 * ```ts
 * import type { PoisonReason } from '@milkyway/events';
 *
 * const retryable = (reason: PoisonReason) => reason === 'max-deliveries';
 * ```
 */
export type PoisonReason = (typeof POISON_REASONS)[number];

/** Every {@link PoisonReason}, once: the dead-letter schema extends this list. @internal */
export const POISON_REASONS = [
  'missing-attributes',
  'invalid-attribute',
  'unsupported-content-type',
  'too-large',
  'wrong-type',
  'invalid-json',
  'schema',
  'max-deliveries',
] as const;
