import type { DecodeResult } from '../cloudevents/decode-result.js';
import type { CloudEventEnvelope } from '../cloudevents/envelope.js';

/**
 * Options of {@link Transport.publish}.
 *
 * @example
 * ```ts
 * import type { PublishOptions } from '@milkyway/events';
 *
 * const options: PublishOptions = { signal: AbortSignal.timeout(2_000) };
 * ```
 */
export interface PublishOptions {
  /** Aborts the publish (the promise rejects; the message may or may not have been stored). */
  signal?: AbortSignal | undefined;
}

/**
 * What a consumer asks of a transport. The transport owns flow control: it never has more
 * than `maxInFlight` unsettled deliveries out to the handler at once (it pulls more only as
 * deliveries are settled), which is the consumer's backpressure.
 *
 * @example
 * ```ts
 * import type { SubscribeOptions } from '@milkyway/events';
 *
 * const options: SubscribeOptions = {
 *   destinations: ['order.placed.v1'],
 *   group: 'catalog',
 *   maxInFlight: 16,
 *   ackDeadlineMs: 30_000,
 *   maxDeliver: 6,
 * };
 * ```
 */
export interface SubscribeOptions {
  /** Destinations to consume (topic destinations; for NATS, subjects). */
  readonly destinations: readonly string[];
  /**
   * The durable consumer group: every subscriber with the same group and the same destinations
   * shares the work (each message goes to one of them); different groups each get every
   * message. A group starts with the messages the destination still retains (deliver all), so
   * events published before the first subscriber are not lost. Two subscriptions of one group
   * to different destinations are independent consumers.
   */
  readonly group: string;
  /** At most this many deliveries unsettled at once (≥ 1). */
  readonly maxInFlight: number;
  /** A delivery not settled (nor extended with `working()`) within this is redelivered. */
  readonly ackDeadlineMs: number;
  /**
   * The broker stops delivering a message after this many deliveries (a safety net: the
   * consumer runtime dead-letters before, and sets this one above its own `maxAttempts`).
   */
  readonly maxDeliver: number;
}

/**
 * One delivery of a message to a subscriber. Exactly one of `ack()` / `nak()` settles it;
 * calls after the first settlement are ignored. A delivery left unsettled (e.g. at shutdown)
 * is redelivered once its ack deadline passes.
 *
 * @example
 * ```ts
 * import type { Delivery } from '@milkyway/events';
 *
 * async function onDelivery(delivery: Delivery) {
 *   if (!delivery.message.ok) {
 *     console.warn('poison', delivery.message.reason, delivery.headers);
 *     await delivery.ack();
 *     return;
 *   }
 *   await delivery.ack();
 * }
 * ```
 */
export interface Delivery {
  /** The destination it arrived on. */
  readonly destination: string;
  /** The decoded CloudEvent, or why it is not one (a poison message). */
  readonly message: DecodeResult;
  /** The raw headers as received (lower-case names), kept for the dead letter. */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw body as received. */
  readonly body: Uint8Array;
  /** Delivery count of this message to this group, 1 for the first delivery. */
  readonly attempt: number;
  /** Settles: the message is done and is not delivered again. Resolves when the broker has it. */
  ack(): Promise<void>;
  /** Settles: deliver it again, after `delayMs` when given (broker-side delay where supported). */
  nak(delayMs?: number): Promise<void>;
  /** Extends the ack deadline ("in progress"), e.g. while a long handler runs. */
  working(): Promise<void>;
  /**
   * Optional: settles by handing the message back to its sender as refused, for transports
   * without a broker in between (HTTP push answers the request with a 4xx problem). When a
   * transport offers it, the consumer runtime calls it instead of publishing a dead letter;
   * broker transports leave it out.
   */
  reject?(reason: string, detail: string): Promise<void>;
}

/**
 * What a transport calls for each delivery. It should not throw: the runtime settles the
 * delivery later (ack/nak), which frees a slot of `maxInFlight`.
 *
 * @example
 * ```ts
 * import type { DeliveryHandler } from '@milkyway/events';
 *
 * const handler: DeliveryHandler = (delivery) => {
 *   void delivery.ack();
 * };
 * ```
 */
export type DeliveryHandler = (delivery: Delivery) => void;

/**
 * A running subscription.
 *
 * @example
 * ```ts
 * import type { Subscription } from '@milkyway/events';
 *
 * declare const subscription: Subscription;
 * await subscription.stop(); // no new deliveries; unsettled ones are redelivered later
 * ```
 */
export interface Subscription {
  /**
   * Stops pulling: no new deliveries after it resolves. Deliveries already handed out can still
   * be settled; the ones left unsettled are redelivered (to another subscriber) after their ack
   * deadline.
   */
  stop(): Promise<void>;
  /** Messages waiting for this group (consumer lag), when the broker reports it. */
  lag?(): Promise<number | undefined>;
}

/**
 * Health of a transport's connection, for readiness.
 *
 * @example
 * ```ts
 * import type { TransportHealth } from '@milkyway/events';
 *
 * const health: TransportHealth = { connected: false, detail: 'reconnecting to nats://10.0.0.7:4222' };
 * ```
 */
export interface TransportHealth {
  /** False while the connection to the broker is down (readiness fails). */
  readonly connected: boolean;
  /** Why, for the readiness report (no credentials). */
  readonly detail?: string | undefined;
}

/**
 * The contract every transport implements (memory, HTTP push, NATS JetStream, ...), checked by
 * the shared contract suite `describeTransportContract` of `@milkyway/events/testing`.
 * Delivery is at least once.
 *
 * @example
 * ```ts
 * import type { Transport } from '@milkyway/events';
 *
 * declare const transport: Transport;
 * const subscription = await transport.subscribe(
 *   { destinations: ['order.placed.v1'], group: 'catalog', maxInFlight: 8, ackDeadlineMs: 30_000, maxDeliver: 6 },
 *   (delivery) => void delivery.ack(),
 * );
 * await subscription.stop();
 * await transport.close();
 * ```
 */
export interface Transport {
  /** The OpenTelemetry `messaging.system` value, e.g. `'nats'`, `'memory'`, `'http'`. */
  readonly system: string;
  /**
   * Sends one event. Resolves only when it is durable (the broker acknowledged it, or the
   * receiver answered 2xx after its handler committed); otherwise rejects with a
   * `PublishError` (exported by `@milkyway/events`).
   */
  publish(
    destination: string,
    envelope: CloudEventEnvelope,
    options?: PublishOptions,
  ): Promise<void>;
  /** Starts consuming; resolves when the subscription is in place (durable consumer created). */
  subscribe(options: SubscribeOptions, onDelivery: DeliveryHandler): Promise<Subscription>;
  /** Connection health, cheap to call (readiness polls it). */
  health(): TransportHealth;
  /** Stops every subscription and closes the connection; unsettled deliveries are redelivered. */
  close(): Promise<void>;
}
