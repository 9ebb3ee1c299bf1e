import { DeadlineExceededError, type Logger } from '@milkyway/protocol';
import {
  type Attributes,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { Inbox } from '../inbox.js';
import { ATTR, type Instruments } from '../telemetry/instruments.js';
import type { Topic } from '../topic.js';
import { contextFromTraceHeaders } from '../tracing/trace-context.js';
import type { Scheduler } from '../transport/scheduler.js';
import type { Delivery, Subscription, Transport } from '../transport/transport.js';
import { backoffDelay, type ResolvedRetryPolicy, resolveRetryPolicy } from './backoff.js';
import type { ConsumerOptions } from './consumer-options.js';
import type { DeadLetterReason } from './dead-letter.js';
import type { ConsumerMiddleware, HandlerContext, ReceivedEvent } from './handler.js';
import { type Held, HeldDeliveries } from './held-deliveries.js';
import { KeyedLanes } from './keyed-lanes.js';
import { runChain } from './middleware-chain.js';
import { prepare } from './prepare.js';

/**
 * A running consumer (what `bus.subscribe` resolves to).
 *
 * @example
 * ```ts
 * import type { Consumer } from '@milkyway/events';
 *
 * declare const consumer: Consumer;
 * console.info(consumer.group, consumer.inFlight, await consumer.lag());
 * await consumer.stop({ drainMs: 5_000 });
 * ```
 */
export interface Consumer {
  /** The consumer group. */
  readonly group: string;
  /** The destinations it consumes. */
  readonly destinations: readonly string[];
  /** Deliveries held now (running, retrying in place, or waiting behind their key). */
  readonly inFlight: number;
  /** Messages waiting for the group, when the transport reports it. */
  lag(): Promise<number | undefined>;
  /**
   * Stops pulling, lets running handlers finish for up to `drainMs` (default 10 000), then
   * aborts the rest through their signal and leaves their messages unacknowledged (the broker
   * redelivers them). Idempotent.
   */
  stop(options?: { drainMs?: number }): Promise<void>;
}

/** What the bus hands a consumer. */
export interface ConsumerRuntime {
  readonly transport: Transport;
  readonly instruments: Instruments;
  readonly logger: Logger;
  readonly scheduler: Scheduler;
  readonly clock: () => number;
  /** Publishes a dead letter (telemetry included); rejects when it could not. */
  deadLetter(
    destination: string,
    delivery: Delivery,
    info: { reason: DeadLetterReason; error: string; attempts: number; group: string },
  ): Promise<void>;
}

interface Attempt {
  controller: AbortController | undefined;
  stop: (reason: unknown) => void;
  shutdown: boolean;
}

type AttemptResult = { ok: true; duplicate: boolean } | { ok: false; error: unknown };

const SHUTDOWN = Symbol('shutdown');

/** Starts a consumer: the runtime's steps around one handler. */
export async function startConsumer<Tx>(
  runtime: ConsumerRuntime,
  topics: readonly Topic[],
  handler: (event: ReceivedEvent, ctx: HandlerContext<Tx>) => void | Promise<void>,
  options: ConsumerOptions<Tx>,
): Promise<Consumer> {
  const { transport, instruments, scheduler, logger } = runtime;
  const group = options.group;
  const policy: ResolvedRetryPolicy = resolveRetryPolicy(options.retry);
  const maxInFlight = options.maxInFlight ?? 16;
  const ackDeadlineMs = options.ackDeadlineMs ?? 30_000;
  const handlerTimeoutMs = options.handlerTimeoutMs ?? 60_000;
  const maxMessageBytes = options.maxMessageBytes ?? 1_048_576;
  const ordered = (options.ordering ?? 'key') === 'key';
  const deadLetterDestination = options.deadLetter ?? `dead-letter.${group}`;
  const inbox = options.inbox as Inbox<Tx> | undefined;
  const middleware = (options.middleware ?? []) as readonly ConsumerMiddleware<Tx>[];
  const destinations = [
    ...new Set(
      options.destination === undefined
        ? topics.map((t) => t.destination)
        : typeof options.destination === 'string'
          ? [options.destination]
          : options.destination,
    ),
  ];
  const byType = new Map<string, Topic>();
  for (const topic of topics) {
    if (byType.has(topic.type)) throw new TypeError(`topic ${topic.type} listed twice`);
    byType.set(topic.type, topic);
  }
  if (!Number.isInteger(maxInFlight) || maxInFlight < 1) {
    throw new TypeError(`maxInFlight must be a positive integer, got ${maxInFlight}`);
  }

  const system = transport.system;
  const held = new HeldDeliveries(scheduler, ackDeadlineMs);
  const attempts = new Set<Attempt>();
  const lanes = new KeyedLanes();
  let stopping = false;
  let abandoning = false;
  let lastLag: number | undefined;
  const hold = (delivery: Delivery): Held => held.hold(delivery);
  const release = (h: Held) => held.release(h);

  const baseAttributes = (destination: string): Attributes => ({
    [ATTR.system]: system,
    [ATTR.destination]: destination,
    [ATTR.group]: group,
  });

  const settle = async (h: Held, action: () => Promise<void>) => {
    if (h.settled) return;
    h.settled = true;
    try {
      await action();
    } catch (error) {
      // The broker redelivers what was not settled: nothing is lost, at worst handled twice.
      logger.warn({ err: error, group }, 'events: settling a delivery failed');
    } finally {
      release(h);
    }
  };

  const abandon = (h: Held, destination: string) => {
    instruments.processed.add(1, { ...baseAttributes(destination), [ATTR.outcome]: 'abandoned' });
    h.settled = true; // left unacknowledged on purpose: redelivered after the ack deadline
    release(h);
  };

  const deadLetter = async (
    h: Held,
    reason: DeadLetterReason,
    error: string,
    attemptsMade: number,
  ) => {
    const destination = h.delivery.destination;
    const reject = h.delivery.reject;
    if (reject) {
      instruments.deadLettered.add(1, {
        ...baseAttributes(destination),
        [ATTR.deadLetterReason]: reason,
      });
      instruments.processed.add(1, {
        ...baseAttributes(destination),
        [ATTR.outcome]: 'dead_letter',
      });
      return settle(h, () => reject.call(h.delivery, reason, error));
    }
    try {
      await runtime.deadLetter(deadLetterDestination, h.delivery, {
        reason,
        error,
        attempts: attemptsMade,
        group,
      });
    } catch (publishError) {
      logger.error(
        { err: publishError, group, reason },
        'events: dead-lettering failed; the message will be redelivered',
      );
      await settle(h, () => h.delivery.nak(backoffDelay(policy, h.delivery.attempt)));
      return;
    }
    instruments.deadLettered.add(1, {
      ...baseAttributes(destination),
      [ATTR.deadLetterReason]: reason,
    });
    instruments.processed.add(1, { ...baseAttributes(destination), [ATTR.outcome]: 'dead_letter' });
    logger.warn(
      { group, reason, error, destination, deadLetter: deadLetterDestination },
      'events: message dead-lettered',
    );
    await settle(h, () => h.delivery.ack());
  };

  const invoke = (event: ReceivedEvent, ctx: HandlerContext<Tx>): Promise<void> =>
    runChain(middleware, handler, event, ctx);

  const runAttempt = async (
    event: ReceivedEvent,
    delivery: Delivery,
    attemptNo: number,
  ): Promise<AttemptResult> => {
    const destination = delivery.destination;
    const parent = contextFromTraceHeaders(
      event.attributes.traceparent,
      event.attributes.tracestate,
    );
    const span: Span = instruments.tracer.startSpan(
      `process ${destination}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          ...baseAttributes(destination),
          [ATTR.operationType]: 'process',
          [ATTR.operationName]: 'process',
          [ATTR.messageId]: event.id,
          [ATTR.deliveryCount]: attemptNo,
          [ATTR.bodySize]: delivery.body.byteLength,
          [ATTR.eventType]: event.type,
        },
      },
      parent,
    );
    const started = performance.now();
    const attempt: Attempt = { controller: undefined, stop: () => undefined, shutdown: false };
    const stopped = new Promise<never>((_, reject) => {
      attempt.stop = reject;
    });
    const signalOf = () => {
      attempt.controller ??= new AbortController();
      return attempt.controller.signal;
    };
    const deadline = scheduler.setTimeout(() => {
      const error = new DeadlineExceededError({
        timeoutMs: handlerTimeoutMs,
        reason: 'timeout',
        source: `events consumer ${group}`,
      });
      attempt.controller?.abort(error);
      attempt.stop(error);
    }, handlerTimeoutMs);
    attempts.add(attempt);

    let duplicate = false;
    const run = async () => {
      const ctx = (tx: Tx): HandlerContext<Tx> => ({
        get signal() {
          return signalOf();
        },
        attempt: attemptNo,
        tx,
        group,
        destination,
      });
      if (!inbox) return invoke(event, ctx(undefined as Tx));
      const outcome = await inbox.runOnce(
        { messageId: event.id, source: event.source, group },
        (tx) => invoke(event, ctx(tx)),
      );
      duplicate = outcome === 'duplicate';
    };

    let result: AttemptResult;
    try {
      await Promise.race([context.with(trace.setSpan(parent, span), run), stopped]);
      result = { ok: true, duplicate };
    } catch (error) {
      result = { ok: false, error };
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute(ATTR.errorType, errorType(error));
    } finally {
      scheduler.clearTimeout(deadline);
      attempts.delete(attempt);
      span.end();
    }
    instruments.processDuration.record((performance.now() - started) / 1000, {
      ...baseAttributes(destination),
      ...(result.ok ? {} : { [ATTR.errorType]: errorType(result.error) }),
    });
    if (attempt.shutdown) return { ok: false, error: SHUTDOWN };
    return result;
  };

  const sleep = (ms: number) =>
    new Promise<boolean>((resolve) => {
      if (abandoning) return resolve(false);
      const attempt: Attempt = {
        controller: undefined,
        shutdown: false,
        stop: () => {
          scheduler.clearTimeout(timer);
          attempts.delete(attempt);
          resolve(false);
        },
      };
      const timer = scheduler.setTimeout(() => {
        attempts.delete(attempt);
        resolve(true);
      }, ms);
      attempts.add(attempt);
    });

  const process = async (h: Held, event: ReceivedEvent, inPlace: boolean) => {
    const delivery = h.delivery;
    const destination = delivery.destination;
    if (stopping) return abandon(h, destination); // queued behind its key when shutdown began
    for (let attemptNo = delivery.attempt; ; attemptNo++) {
      const result = await runAttempt(event, delivery, attemptNo);
      if (result.ok) {
        instruments.processed.add(1, {
          ...baseAttributes(destination),
          [ATTR.outcome]: result.duplicate ? 'duplicate' : 'success',
        });
        return settle(h, () => delivery.ack());
      }
      if (result.error === SHUTDOWN) return abandon(h, destination);
      if (attemptNo >= policy.maxAttempts) {
        return deadLetter(h, 'handler-failed', describe(result.error), attemptNo);
      }
      instruments.processed.add(1, { ...baseAttributes(destination), [ATTR.outcome]: 'retry' });
      const delayMs = backoffDelay(policy, attemptNo);
      if (!inPlace) return settle(h, () => delivery.nak(delayMs));
      if (stopping || !(await sleep(delayMs))) return abandon(h, destination);
    }
  };

  const onDelivery = (delivery: Delivery) => {
    const h = hold(delivery);
    const destination = delivery.destination;
    instruments.consumed.add(1, baseAttributes(destination));
    if (delivery.attempt > 1) instruments.redeliveries.add(1, baseAttributes(destination));
    if (stopping) return abandon(h, destination);
    const prepared = prepare(delivery, byType, maxMessageBytes);
    if (!prepared.ok) {
      void deadLetter(h, prepared.reason, prepared.detail, 0);
      return;
    }
    if (delivery.attempt > policy.maxAttempts) {
      void deadLetter(
        h,
        'max-deliveries',
        `delivered ${delivery.attempt} times (the earlier attempts crashed or ran past their ack deadline)`,
        delivery.attempt - 1,
      );
      return;
    }
    const key = ordered ? prepared.event.key : undefined;
    const run = (inPlace: boolean) =>
      process(h, prepared.event, inPlace).catch((error: unknown) => {
        // A bug in a step, not in the handler: leave the message for redelivery, keep going.
        logger.error({ err: error, group }, 'events: processing failed unexpectedly');
        if (!h.settled) abandon(h, destination);
      });
    if (key === undefined) void run(false);
    else lanes.run(key, () => run(true));
  };

  const subscription: Subscription = await transport.subscribe(
    {
      destinations,
      group,
      maxInFlight,
      ackDeadlineMs,
      // Above maxAttempts: the runtime dead-letters first; the broker's limit is the safety net.
      maxDeliver: policy.maxAttempts + 2,
    },
    onDelivery,
  );

  const lagGauge = instruments.lag;
  const observeLag = (result: { observe(value: number, attributes?: Attributes): void }) => {
    if (lastLag !== undefined) result.observe(lastLag, baseAttributes(destinations.join(',')));
    void subscription
      .lag?.()
      .then((n) => {
        lastLag = n;
      })
      .catch(() => undefined);
  };
  lagGauge.addCallback(observeLag);

  let stopped: Promise<void> | undefined;
  return {
    group,
    destinations,
    get inFlight() {
      return held.size;
    },
    lag: async () => (subscription.lag ? subscription.lag() : undefined),
    stop(stopOptions = {}) {
      stopped ??= (async () => {
        stopping = true;
        lagGauge.removeCallback(observeLag);
        await subscription.stop();
        await held.whenEmpty(stopOptions.drainMs ?? 10_000);
        abandoning = true;
        for (const attempt of [...attempts]) {
          attempt.shutdown = true;
          attempt.controller?.abort(new Error('the consumer is shutting down'));
          attempt.stop(SHUTDOWN);
        }
        held.stop();
      })();
      return stopped;
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof Error) return `${error.name}: ${error.message}`;
  return String(error);
}

function errorType(error: unknown): string {
  if (error instanceof Error) return error.name || 'Error';
  return '_OTHER';
}
