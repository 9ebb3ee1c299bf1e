import { ProblemError } from '@milkyway/protocol';

/**
 * Why the broker could not take a message: the connection is down and reconnecting, the
 * broker did not acknowledge in time, or the connection is closed for good.
 */
export type NatsUnavailableReason = 'disconnected' | 'timeout' | 'closed' | 'no-jetstream';

/**
 * A publish the broker did not acknowledge. It is **retryable**: publish the same event again
 * (same CloudEvents id) once the broker is back — if the first attempt did reach the stream,
 * the broker's `Nats-Msg-Id` dedupe drops the copy. Rendered as a 503 with `Retry-After` when
 * it reaches an HTTP response. Never a silent drop: a publish either resolves (stored) or
 * rejects with this error.
 *
 * @example
 * ```ts
 * import { NatsUnavailableError } from '@milkyway/nats';
 *
 * declare const publish: () => Promise<void>;
 * try {
 *   await publish();
 * } catch (e) {
 *   if (NatsUnavailableError.is(e) && e.retryable) {
 *     // keep it in the outbox; the relay retries later
 *   }
 * }
 * ```
 */
export class NatsUnavailableError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.nats.unavailable');
  /** Always true: the same publish may succeed later, and the broker dedupes a re-send. */
  readonly retryable = true as const;
  /** What went wrong. */
  readonly reason: NatsUnavailableReason;
  /** The subject the message was for. */
  readonly subject: string;

  /**
   * @param reason - why the broker did not take the message.
   * @param subject - the subject it was for.
   * @param options - the underlying client error, if any.
   */
  constructor(reason: NatsUnavailableReason, subject: string, options: { cause?: unknown } = {}) {
    super(503, `NATS did not acknowledge the publish to "${subject}" (${DETAIL[reason]})`, {
      title: 'Message broker unavailable',
      type: 'https://milkyway.dev/problems/nats-unavailable',
      headers: { 'retry-after': '1' },
      extensions: { reason, retryable: true },
      expose: false,
      cause: options.cause,
    });
    this.name = 'NatsUnavailableError';
    this.reason = reason;
    this.subject = subject;
  }
}

const DETAIL: Record<NatsUnavailableReason, string> = {
  disconnected: 'the connection is down and reconnecting; retry later',
  timeout:
    'no acknowledgement in time; the message may or may not be stored, a retry is deduplicated',
  closed: 'the connection is closed',
  'no-jetstream': 'no stream answered for this subject',
};
