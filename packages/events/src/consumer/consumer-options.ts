import type { Inbox } from '../inbox.js';
import type { RetryPolicy } from './backoff.js';
import type { ConsumerMiddleware } from './handler.js';

/**
 * Options of `bus.subscribe`.
 *
 * @example
 * ```ts
 * import { type ConsumerOptions, memoryInbox } from '@milkyway/events';
 *
 * const options: ConsumerOptions<undefined> = {
 *   group: 'catalog',
 *   maxInFlight: 32,
 *   retry: { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 30_000 },
 *   ackDeadlineMs: 30_000,
 *   handlerTimeoutMs: 10_000,
 *   inbox: memoryInbox(),
 * };
 * ```
 */
export interface ConsumerOptions<Tx = undefined> {
  /** The durable consumer group: replicas with the same group share the work. */
  group: string;
  /** Consume from these destinations instead of the topics' own (e.g. a dead-letter destination). */
  destination?: string | readonly string[];
  /** Deliveries held at once, running or waiting behind their key (default 16): the backpressure. */
  maxInFlight?: number;
  /**
   * `'key'` (default): events with the same key (`partitionkey`) are handled one at a time in
   * delivery order, different keys in parallel; a failed keyed event is retried in place (the
   * key waits) so that order holds. `'none'`: everything in parallel; retries go back to the
   * broker with a delay (`nak(delay)`).
   */
  ordering?: 'key' | 'none';
  /** Attempts and backoff (defaults: 5 attempts, 1 s base, 60 s cap, full jitter). */
  retry?: RetryPolicy;
  /**
   * The broker redelivers a delivery not settled within this (default 30 000 ms); the consumer
   * extends it automatically ("working") while it holds the message.
   */
  ackDeadlineMs?: number;
  /**
   * Each attempt's budget (default 60 000 ms): then its `signal` fires with a
   * `DeadlineExceededError` and the attempt counts as failed. Handlers must honour the signal:
   * a handler that ignores it keeps running while the message is retried.
   */
  handlerTimeoutMs?: number;
  /** The idempotency hook: the handler runs inside `inbox.runOnce` and gets its `tx`. */
  inbox?: Inbox<Tx>;
  /** Where dead letters go (default `dead-letter.<group>`). */
  deadLetter?: string;
  /** Larger data is poison (`too-large`) (default 1 MiB). */
  maxMessageBytes?: number;
  /** Steps around the handler, outermost first. */
  middleware?: readonly ConsumerMiddleware<Tx>[];
}
