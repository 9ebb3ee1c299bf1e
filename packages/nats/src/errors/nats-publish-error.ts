import { PublishError } from '@milkyway/events';

/**
 * Why NATS did not take a message:
 * - `'disconnected'`: the connection is down and reconnecting (retryable);
 * - `'timeout'`: no acknowledgement in time; it may or may not be stored (retryable: a re-send
 *   with the same CloudEvents id is dropped by the stream's duplicate window);
 * - `'closed'`: the transport was closed (not retryable on this transport);
 * - `'too-large'`: larger than the server's `max_payload` or the stream's `max_msg_size`
 *   (never retryable);
 * - `'no-stream'`: no stream stores the subject (not retryable until one is created);
 * - `'refused'`: the stream refused it for another reason (see the message).
 *
 * @example
 * ```ts
 * import type { NatsPublishFailure } from '@milkyway/nats';
 *
 * const worthAlerting = (reason: NatsPublishFailure) => reason === 'too-large' || reason === 'no-stream';
 * ```
 */
export type NatsPublishFailure =
  | 'disconnected'
  | 'timeout'
  | 'closed'
  | 'too-large'
  | 'no-stream'
  | 'refused';

const RETRYABLE: ReadonlySet<NatsPublishFailure> = new Set(['disconnected', 'timeout']);

/**
 * A publish NATS did not acknowledge: a `PublishError` of `@milkyway/events` (so
 * `PublishError.is(e)` holds, and `e.retryable` says whether to try again) with the NATS
 * reason. Never a silent drop: a publish either resolves (stored in the stream) or rejects
 * with this error. A retryable one renders as a 503 with `Retry-After`.
 *
 * @example
 * ```ts
 * import { PublishError } from '@milkyway/events';
 * import { NatsPublishError } from '@milkyway/nats';
 *
 * declare const publish: () => Promise<void>;
 * try {
 *   await publish();
 * } catch (e) {
 *   if (NatsPublishError.is(e) && e.reason === 'disconnected') console.warn('NATS is down; retry later');
 *   else if (PublishError.is(e) && !e.retryable) throw e;
 * }
 * ```
 */
export class NatsPublishError extends PublishError {
  // PublishError's brand is typed as its own unique symbol; the cast keeps ours a distinct
  // runtime value (so NatsPublishError.is() checks this class) under the base's static type.
  static override readonly brand: typeof PublishError.brand = Symbol.for(
    'milkyway.nats.publish',
  ) as typeof PublishError.brand;
  /** What went wrong, see {@link NatsPublishFailure}. */
  readonly reason: NatsPublishFailure;
  /** The NATS subject it was for. */
  readonly subject: string;

  /**
   * @param destination - the destination it was published to.
   * @param subject - the NATS subject of that destination.
   * @param reason - why NATS did not take it.
   * @param detail - a sentence for the message (no secret).
   * @param cause - the client's own error, if any.
   */
  constructor(
    destination: string,
    subject: string,
    reason: NatsPublishFailure,
    detail: string,
    cause?: unknown,
  ) {
    super(destination, `${detail} (NATS subject ${subject})`, {
      retryable: RETRYABLE.has(reason),
      cause,
    });
    this.name = 'NatsPublishError';
    this.reason = reason;
    this.subject = subject;
  }
}
