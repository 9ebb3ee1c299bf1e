import { ProblemError } from '@milkyway/protocol';

/**
 * A publish that did not become durable: the transport could not reach the broker or
 * subscriber, it did not acknowledge in time, or it refused the message. Every transport
 * rejects a failed publish with this error (never a silent drop). `retryable` says whether the
 * same publish may succeed later (broker down, timeout) or never will (message too large for
 * the broker, no such destination). Renders as a 503 with `Retry-After` when retryable.
 *
 * @example
 * ```ts
 * import { PublishError } from '@milkyway/events';
 *
 * declare const error: unknown;
 * if (PublishError.is(error) && error.retryable) {
 *   // the outbox relay keeps the row and tries again later
 * }
 * ```
 */
export class PublishError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.events.publish');

  /** Whether publishing the same message again may succeed. */
  readonly retryable: boolean;
  /** The destination the message was for. */
  readonly destination: string;

  /** Creates the error; `cause` is the transport's own error (logged, never sent to clients). */
  constructor(
    destination: string,
    detail: string,
    options: { retryable: boolean; cause?: unknown; retryAfterSeconds?: number },
  ) {
    super(options.retryable ? 503 : 500, `publish to ${destination} failed: ${detail}`, {
      expose: false,
      cause: options.cause,
      ...(options.retryable
        ? { headers: { 'retry-after': String(options.retryAfterSeconds ?? 1) } }
        : {}),
    });
    this.retryable = options.retryable;
    this.destination = destination;
  }
}
