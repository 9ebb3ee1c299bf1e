import { type Clock, type Logger, silentLogger, systemClock } from '@milkyway/protocol';
import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import { createCloudEvent } from '../cloudevents/create-event.js';
import type { CloudEventEnvelope } from '../cloudevents/envelope.js';
import { type Consumer, startConsumer } from '../consumer/consumer.js';
import type { ConsumerOptions } from '../consumer/consumer-options.js';
import type { EventHandler, HandlerContext, ReceivedEvent } from '../consumer/handler.js';
import { ATTR, createInstruments } from '../telemetry/instruments.js';
import type { Topic, TopicInput } from '../topic.js';
import { contextFromTraceHeaders } from '../tracing/trace-context.js';
import { globalScheduler, type Scheduler } from '../transport/scheduler.js';
import type { Transport, TransportHealth } from '../transport/transport.js';
import { deadLetterEnvelope } from './dead-letter-envelope.js';
import { type ReplayOptions, type ReplayResult, replayDeadLetters } from './replay.js';

/**
 * Options of {@link createEventBus}.
 *
 * @example
 * ```ts
 * import { type EventBusOptions, memoryTransport } from '@milkyway/events';
 *
 * const options: EventBusOptions = { source: '/orders', transport: memoryTransport() };
 * ```
 */
export interface EventBusOptions {
  /** The CloudEvents `source` of everything this service publishes, e.g. `/orders`. */
  source: string;
  /** Where events travel. */
  transport: Transport;
  /** For warnings (dead letters, failed settlements). Default: silent. */
  logger?: Logger;
  /** Epoch-ms clock for event `time` and dead letters (default `Date.now`). */
  clock?: Clock;
  /** Timers for deadlines, backoff and keep-alives (default: the global ones). */
  scheduler?: Scheduler;
  /** Dead letters keep at most this much of the original body (default 262 144 bytes). */
  maxDeadLetterBodyBytes?: number;
}

/**
 * Options of {@link EventBus.publish}.
 *
 * @example
 * ```ts
 * import type { PublishEventOptions } from '@milkyway/events';
 *
 * const options: PublishEventOptions = { id: 'order-42-placed', subject: 'order-42' };
 * ```
 */
export interface PublishEventOptions {
  /** The event id (default: a random UUID). A stable id makes a re-publish a duplicate the broker and inbox drop. */
  id?: string;
  /** The CloudEvents `subject`. */
  subject?: string;
  /** The ordering key; defaults to the topic's `key(payload)`. */
  key?: string;
  /** Aborts waiting for the broker's acknowledgement. */
  signal?: AbortSignal;
}

/**
 * The event bus of a service: typed publish, and consumers with retries, dead letters, keyed
 * ordering, backpressure and an idempotency hook, over any {@link Transport}.
 *
 * @example
 * ```ts
 * import { createEventBus, defineTopic, memoryTransport } from '@milkyway/events';
 * import { z } from 'zod';
 *
 * const orderPlaced = defineTopic({
 *   name: 'order.placed',
 *   version: 1,
 *   schema: z.object({ orderId: z.string(), quantity: z.number().int() }),
 *   key: (order) => order.orderId,
 * });
 *
 * const bus = createEventBus({ source: '/orders', transport: memoryTransport() });
 * await bus.subscribe(orderPlaced, async (event, { signal }) => {
 *   console.info('reserve', event.data.quantity, 'for', event.data.orderId, signal.aborted);
 * }, { group: 'catalog' });
 * await bus.publish(orderPlaced, { orderId: 'o-1', quantity: 2 });
 * await bus.close();
 * ```
 */
export interface EventBus {
  /** The transport underneath. */
  readonly transport: Transport;
  /** The CloudEvents `source` of this service. */
  readonly source: string;
  /**
   * Validates `payload` against the topic's schema (an `EventSchemaError` and nothing sent when
   * it fails), builds the CloudEvent with the current trace context, sends it, and resolves
   * with it once the transport acknowledged it (durable); a `PublishError` otherwise.
   */
  publish<T extends Topic>(
    topic: T,
    payload: TopicInput<T>,
    options?: PublishEventOptions,
  ): Promise<CloudEventEnvelope>;
  /**
   * Sends an already built event (an outbox relay's stored row, a replayed dead letter), with
   * the PRODUCER span continuing the trace the event carries.
   */
  publishEnvelope(
    destination: string,
    envelope: CloudEventEnvelope,
    options?: { signal?: AbortSignal },
  ): Promise<void>;
  /** Starts a consumer of one topic or several (the handler's event narrows on `type`). */
  subscribe<T extends Topic, Tx = undefined>(
    topics: T | readonly T[],
    handler: EventHandler<T, Tx>,
    options: ConsumerOptions<Tx>,
  ): Promise<Consumer>;
  /** Moves dead letters back to the destination they came from (see {@link ReplayOptions}). */
  replayDeadLetters(options: ReplayOptions): Promise<ReplayResult>;
  /** The transport's connection health (readiness). */
  health(): TransportHealth;
  /**
   * Stops every consumer (each drains for up to `drainMs`, default 10 000, then leaves the rest
   * unacknowledged), then closes the transport. Idempotent.
   */
  close(options?: { drainMs?: number }): Promise<void>;
}

/**
 * Creates an {@link EventBus} for a service.
 *
 * @example
 * ```ts
 * import { createEventBus, memoryTransport } from '@milkyway/events';
 *
 * const bus = createEventBus({ source: '/catalog', transport: memoryTransport() });
 * ```
 */
export function createEventBus(options: EventBusOptions): EventBus {
  const { source, transport } = options;
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const scheduler = options.scheduler ?? globalScheduler;
  const maxDeadLetterBodyBytes = options.maxDeadLetterBodyBytes ?? 262_144;
  const instruments = createInstruments();
  const consumers = new Set<Consumer>();
  const system = transport.system;
  let closing: Promise<void> | undefined;

  // Span name and metric attributes per destination, built once (not per publish).
  const sendInfo = new Map<string, { spanName: string; sent: Attributes }>();
  const sendNames = (destination: string) => {
    let info = sendInfo.get(destination);
    if (info === undefined) {
      info = {
        spanName: `send ${destination}`,
        sent: Object.freeze({ [ATTR.system]: system, [ATTR.destination]: destination }),
      };
      // Bounded: destinations are a service's topics and dead letters, not per-message values.
      if (sendInfo.size < 1_000) sendInfo.set(destination, info);
    }
    return info;
  };

  const send = async (
    destination: string,
    parent: Context,
    build: (ctx: Context) => CloudEventEnvelope,
    signal: AbortSignal | undefined,
  ): Promise<CloudEventEnvelope> => {
    const names = sendNames(destination);
    // Literal keys (the ATTR names): one allocation, no computed-key slow path.
    const span: Span = instruments.tracer.startSpan(
      names.spanName,
      {
        kind: SpanKind.PRODUCER,
        attributes: {
          'messaging.system': system,
          'messaging.destination.name': destination,
          'messaging.operation.type': 'send',
          'messaging.operation.name': 'send',
        },
      },
      parent,
    );
    try {
      const envelope = build(trace.setSpan(parent, span));
      span.setAttribute(ATTR.messageId, envelope.attributes.id);
      span.setAttribute(ATTR.bodySize, envelope.data.byteLength);
      await transport.publish(destination, envelope, signal ? { signal } : undefined);
      instruments.sent.add(1, names.sent);
      return envelope;
    } catch (error) {
      const type = error instanceof Error ? error.name : '_OTHER';
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute(ATTR.errorType, type);
      instruments.sent.add(1, {
        [ATTR.system]: system,
        [ATTR.destination]: destination,
        [ATTR.errorType]: type,
      });
      throw error;
    } finally {
      span.end();
    }
  };

  const bus: EventBus = {
    transport,
    source,
    publish(topic, payload, publishOptions = {}) {
      return send(
        topic.destination,
        context.active(),
        (ctx) =>
          createCloudEvent(topic, payload, {
            source,
            id: publishOptions.id,
            subject: publishOptions.subject,
            key: publishOptions.key,
            context: ctx,
            clock,
          }),
        publishOptions.signal,
      );
    },
    async publishEnvelope(destination, envelope, publishOptions = {}) {
      const { traceparent, tracestate } = envelope.attributes;
      await send(
        destination,
        traceparent ? contextFromTraceHeaders(traceparent, tracestate) : context.active(),
        () => envelope,
        publishOptions.signal,
      );
    },
    async subscribe<T extends Topic, Tx = undefined>(
      topics: T | readonly T[],
      handler: EventHandler<T, Tx>,
      consumerOptions: ConsumerOptions<Tx>,
    ) {
      if (closing) throw new Error('events: the bus is closed');
      const list = (Array.isArray(topics) ? topics : [topics]) as readonly Topic[];
      const consumer = await startConsumer<Tx>(
        {
          transport,
          instruments,
          logger,
          scheduler,
          clock,
          deadLetter: async (destination, delivery, info) => {
            const envelope = deadLetterEnvelope(delivery, info, {
              source,
              clock,
              maxBodyBytes: maxDeadLetterBodyBytes,
            });
            await bus.publishEnvelope(destination, envelope);
          },
        },
        list,
        handler as unknown as (event: ReceivedEvent, ctx: HandlerContext<Tx>) => Promise<void>,
        consumerOptions,
      );
      consumers.add(consumer);
      return consumer;
    },
    replayDeadLetters(replayOptions) {
      return replayDeadLetters(
        transport,
        (d, e) => bus.publishEnvelope(d, e),
        scheduler,
        replayOptions,
      );
    },
    health: () => transport.health(),
    close(closeOptions = {}) {
      closing ??= (async () => {
        await Promise.all([...consumers].map((c) => c.stop(closeOptions)));
        await transport.close();
      })();
      return closing;
    },
  };
  return bus;
}
