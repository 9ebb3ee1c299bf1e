import type { CloudEventAttributes } from '../cloudevents/attributes.js';
import type { Topic, TopicPayload } from '../topic.js';

/**
 * An event as a handler receives it: the typed, validated payload and its CloudEvents
 * attributes. With several topics, `type` (or `topic`) tells them apart.
 *
 * @example
 * ```ts
 * import { defineTopic, type ReceivedEvent } from '@milkyway/events';
 * import { z } from 'zod';
 *
 * const orderPlaced = defineTopic({ name: 'order.placed', version: 1, schema: z.object({ orderId: z.string() }) });
 * function describe(event: ReceivedEvent<typeof orderPlaced>): string {
 *   return `${event.id}: order ${event.data.orderId}`;
 * }
 * ```
 */
export interface ReceivedEvent<T extends Topic = Topic> {
  /** The topic it belongs to. */
  readonly topic: T;
  /** The CloudEvents `type` (the topic's `<name>.v<version>`). */
  readonly type: T['type'];
  /** The CloudEvents `id`. */
  readonly id: string;
  /** The CloudEvents `source`. */
  readonly source: string;
  /** The CloudEvents `subject`, when set. */
  readonly subject: string | undefined;
  /** The CloudEvents `time`, when set. */
  readonly time: string | undefined;
  /** The ordering key (`partitionkey`), when set. */
  readonly key: string | undefined;
  /** The payload, parsed by the topic's schema. */
  readonly data: TopicPayload<T>;
  /** Every attribute as received. */
  readonly attributes: CloudEventAttributes;
}

/** The received event of any of the topics `T` (a union that narrows on `type`). */
export type EventOf<T extends Topic> = T extends Topic ? ReceivedEvent<T> : never;

/**
 * What a handler gets besides the event.
 *
 * @example
 * ```ts
 * import type { HandlerContext } from '@milkyway/events';
 *
 * async function handle(ctx: HandlerContext) {
 *   await fetch('http://127.0.0.1:3001/reserve', { method: 'POST', signal: ctx.signal });
 *   if (ctx.attempt > 1) console.info('retrying', ctx.attempt);
 * }
 * ```
 */
export interface HandlerContext<Tx = undefined> {
  /**
   * Fires when the handler must stop: the consumer is shutting down (the message is left
   * unacknowledged and redelivered later) or the attempt's `handlerTimeoutMs` passed (reason:
   * a `DeadlineExceededError`; the attempt counts as failed).
   */
  readonly signal: AbortSignal;
  /** This attempt's number, 1 for the first. */
  readonly attempt: number;
  /** The inbox's unit of work (e.g. the database transaction); `undefined` without an inbox. */
  readonly tx: Tx;
  /** The consumer group. */
  readonly group: string;
  /** The destination the event came from. */
  readonly destination: string;
}

/**
 * A message handler: resolves when the event's effect is done (then the message is
 * acknowledged); throws to have it retried.
 *
 * @example
 * ```ts
 * import { defineTopic, type EventHandler } from '@milkyway/events';
 * import { z } from 'zod';
 *
 * const orderPlaced = defineTopic({ name: 'order.placed', version: 1, schema: z.object({ orderId: z.string() }) });
 * const handler: EventHandler<typeof orderPlaced> = async (event) => {
 *   console.info('placed', event.data.orderId);
 * };
 * ```
 */
export type EventHandler<T extends Topic, Tx = undefined> = (
  event: EventOf<T>,
  ctx: HandlerContext<Tx>,
) => void | Promise<void>;

/**
 * A step around the handler, like an HTTP middleware (Watermill's handler middleware): it runs
 * inside the consumer span and the inbox's transaction, calls `next()` to continue, and can
 * observe or replace the outcome (throw to fail the attempt).
 *
 * @example
 * ```ts
 * import type { ConsumerMiddleware } from '@milkyway/events';
 *
 * const timing: ConsumerMiddleware = async (event, ctx, next) => {
 *   const started = performance.now();
 *   try {
 *     await next();
 *   } finally {
 *     console.info(event.type, ctx.attempt, performance.now() - started);
 *   }
 * };
 * ```
 */
export type ConsumerMiddleware<Tx = unknown> = (
  event: ReceivedEvent,
  ctx: HandlerContext<Tx>,
  next: () => Promise<void>,
) => Promise<void>;
