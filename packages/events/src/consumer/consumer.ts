import { DeadlineExceededError, type Logger } from '@milkyway/protocol';
import { type Attributes, context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Inbox } from '../inbox.js';
import { ATTR, type Instruments } from '../telemetry/instruments.js';
import type { Topic } from '../topic.js';
import { contextFromTraceHeaders } from '../tracing/trace-context.js';
import type { Scheduler } from '../transport/scheduler.js';
import type { Delivery, Subscription, Transport } from '../transport/transport.js';
import { Attempt, type AttemptOwner } from './attempt.js';
import { AttemptContext } from './attempt-context.js';
import { backoffDelay, type ResolvedRetryPolicy, resolveRetryPolicy } from './backoff.js';
import type { ConsumerOptions } from './consumer-options.js';
import type { DeadLetterReason } from './dead-letter.js';
import { DeadlineList } from './deadline-list.js';
import { type DestinationInfo, destinationInfo } from './destination-info.js';
import type { ConsumerMiddleware, HandlerContext, ReceivedEvent } from './handler.js';
import { HeldDeliveries } from './held-deliveries.js';
import { Job } from './job.js';
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

/** Jobs whose settlements share one promise (acks confirmed together). */
interface SettlementGroup {
  readonly signal: Promise<void>;
  readonly jobs: Job[];
  done: boolean;
}

/** A retry waiting in place (keyed) for its backoff delay. */
interface Sleeper {
  readonly job: Job;
  timer: unknown;
}

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
  const tracer = instruments.tracer;
  const held = new HeldDeliveries(scheduler, ackDeadlineMs);
  const sleepers = new Set<Sleeper>();
  let stopping = false;
  let abandoning = false;
  let lastLag: number | undefined;

  // Telemetry attributes per destination, built once (the hot path only looks them up).
  const infos = new Map<string, DestinationInfo>();
  const infoOf = (destination: string): DestinationInfo => {
    let info = infos.get(destination);
    if (info === undefined) {
      info = destinationInfo(system, group, destination);
      infos.set(destination, info);
    }
    return info;
  };

  /** The job's processing is over (settled, abandoned or dead-lettered): its key moves on. */
  const finishJob = (job: Job) => {
    if (job.finished) return;
    job.finished = true;
    if (job.key !== undefined) lanes.done(job.key, job);
  };

  /**
   * Watches a settlement: the job is released once the broker confirmed it (or it failed).
   * A transport that confirms the signals of one turn together hands them all the same
   * promise: the jobs waiting on it share one reaction instead of two closures each.
   */
  let watching: SettlementGroup | undefined;
  const watchSettlement = (job: Job, signal: Promise<void>) => {
    if (watching !== undefined && watching.signal === signal && !watching.done) {
      watching.jobs.push(job);
      return;
    }
    const settling: SettlementGroup = { signal, jobs: [job], done: false };
    watching = settling;
    const releaseAll = () => {
      settling.done = true;
      if (watching === settling) watching = undefined;
      for (const j of settling.jobs) held.release(j);
      settling.jobs.length = 0;
    };
    signal.then(releaseAll, (error: unknown) => {
      // The broker redelivers what was not settled: nothing is lost, at worst handled twice.
      for (let i = 0; i < settling.jobs.length; i++) {
        logger.warn({ err: error, group }, 'events: settling a delivery failed');
      }
      releaseAll();
    });
  };

  const ack = (job: Job) => {
    if (job.settled) return;
    job.settled = true;
    let signal: Promise<void>;
    try {
      signal = job.delivery.ack();
    } catch (error) {
      signal = Promise.reject(error);
    }
    watchSettlement(job, signal);
  };

  const nak = (job: Job, delayMs: number) => {
    if (job.settled) return;
    job.settled = true;
    let signal: Promise<void>;
    try {
      signal = job.delivery.nak(delayMs);
    } catch (error) {
      signal = Promise.reject(error);
    }
    watchSettlement(job, signal);
  };

  const abandon = (job: Job) => {
    instruments.processed.add(1, job.info.outcomes.abandoned);
    job.settled = true; // left unacknowledged on purpose: redelivered after the ack deadline
    held.release(job);
    finishJob(job);
  };

  /** A bug in a step, not in the handler: leave the message for redelivery, keep going. */
  const unexpected = (job: Job, error: unknown) => {
    logger.error({ err: error, group }, 'events: processing failed unexpectedly');
    if (!job.settled) abandon(job);
    else finishJob(job);
  };

  const deadLetter = async (
    job: Job,
    reason: DeadLetterReason,
    error: string,
    attemptsMade: number,
  ) => {
    try {
      const info = job.info;
      const reasonAttributes: Attributes = { ...info.base, [ATTR.deadLetterReason]: reason };
      const reject = job.delivery.reject;
      if (reject) {
        instruments.deadLettered.add(1, reasonAttributes);
        instruments.processed.add(1, info.outcomes.dead_letter);
        if (job.settled) return;
        job.settled = true;
        let signal: Promise<void>;
        try {
          signal = reject.call(job.delivery, reason, error);
        } catch (rejectError) {
          signal = Promise.reject(rejectError);
        }
        watchSettlement(job, signal);
        return;
      }
      try {
        await runtime.deadLetter(deadLetterDestination, job.delivery, {
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
        nak(job, backoffDelay(policy, job.delivery.attempt));
        return;
      }
      instruments.deadLettered.add(1, reasonAttributes);
      instruments.processed.add(1, info.outcomes.dead_letter);
      logger.warn(
        { group, reason, error, destination: info.name, deadLetter: deadLetterDestination },
        'events: message dead-lettered',
      );
      ack(job);
    } catch (unexpectedError) {
      unexpected(job, unexpectedError);
    } finally {
      finishJob(job);
    }
  };

  /** Calls the middleware chain and the handler for one attempt (inside its span's context). */
  const callHandler = (attempt: Attempt, tx: Tx): void | Promise<void> => {
    const job = attempt.job;
    const ctx = new AttemptContext(attempt, tx, group, job.info.name);
    const event = job.event as ReceivedEvent;
    return middleware.length === 0
      ? handler(event, ctx)
      : runChain(middleware, handler, event, ctx);
  };

  const invoke = (attempt: Attempt): unknown => {
    if (inbox === undefined) return callHandler(attempt, undefined as Tx);
    const event = attempt.job.event as ReceivedEvent;
    return inbox.runOnce({ messageId: event.id, source: event.source, group }, async (tx) => {
      await callHandler(attempt, tx);
    });
  };

  const owner: AttemptOwner = {
    deadlineError: () =>
      new DeadlineExceededError({
        timeoutMs: handlerTimeoutMs,
        reason: 'timeout',
        source: `events consumer ${group}`,
      }),
    finish(attempt, ok, value) {
      if (attempt.done) return;
      attempt.done = true;
      deadlines.remove(attempt);
      const job = attempt.job;
      try {
        const info = job.info;
        const span = attempt.span;
        if (!ok) {
          span.recordException(value instanceof Error ? value : String(value));
          span.setStatus({ code: SpanStatusCode.ERROR });
          span.setAttribute(ATTR.errorType, errorType(value));
        }
        span.end();
        instruments.processDuration.record(
          (performance.now() - attempt.started) / 1000,
          ok ? info.base : { ...info.base, [ATTR.errorType]: errorType(value) },
        );
        if (attempt.shutdown) return abandon(job);
        if (ok) {
          const duplicate = inbox !== undefined && value === 'duplicate';
          instruments.processed.add(1, duplicate ? info.outcomes.duplicate : info.outcomes.success);
          ack(job);
          return finishJob(job);
        }
        if (attempt.number >= policy.maxAttempts) {
          void deadLetter(job, 'handler-failed', describe(value), attempt.number);
          return;
        }
        instruments.processed.add(1, info.outcomes.retry);
        const delayMs = backoffDelay(policy, attempt.number);
        if (job.key === undefined) {
          nak(job, delayMs);
          return finishJob(job);
        }
        // Keyed: retried in place, so that the next event of the key cannot overtake it.
        if (stopping || abandoning) return abandon(job);
        sleep(job, delayMs, attempt.number + 1);
      } catch (error) {
        unexpected(job, error);
      }
    },
  };

  const deadlines = new DeadlineList<Attempt>(scheduler, runtime.clock, handlerTimeoutMs);

  /** Starts attempt `attemptNo` of a job: CONSUMER span, deadline, handler. */
  const begin = (job: Job, attemptNo: number) => {
    const delivery = job.delivery;
    const event = job.event as ReceivedEvent;
    const info = job.info;
    const parent = contextFromTraceHeaders(
      event.attributes.traceparent,
      event.attributes.tracestate,
    );
    // Literal keys (the ATTR names): one allocation, no computed-key slow path.
    const span = tracer.startSpan(
      info.spanName,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': system,
          'messaging.destination.name': info.name,
          'messaging.consumer.group.name': group,
          'messaging.operation.type': 'process',
          'messaging.operation.name': 'process',
          'messaging.message.id': event.id,
          'messaging.message.delivery_count': attemptNo,
          'messaging.message.body.size': delivery.body.byteLength,
          'cloudevents.event_type': event.type,
        },
      },
      parent,
    );
    const attempt = new Attempt(job, attemptNo, span, performance.now(), owner);
    deadlines.add(attempt);
    let result: unknown;
    try {
      result = context.with(trace.setSpan(parent, span), invoke, undefined, attempt);
    } catch (error) {
      owner.finish(attempt, false, error);
      return;
    }
    Promise.resolve(result).then(attempt.resolved, attempt.rejected);
  };

  /** Runs a job's first attempt (when its key's turn came, for keyed ones). */
  const start = (job: Job) => {
    if (stopping) return abandon(job); // queued behind its key when shutdown began
    try {
      begin(job, job.delivery.attempt);
    } catch (error) {
      unexpected(job, error);
    }
  };
  const lanes = new KeyedLanes<Job>(start);

  const sleep = (job: Job, ms: number, nextAttempt: number) => {
    const sleeper: Sleeper = { job, timer: undefined };
    sleeper.timer = scheduler.setTimeout(() => {
      sleepers.delete(sleeper);
      try {
        begin(job, nextAttempt);
      } catch (error) {
        unexpected(job, error);
      }
    }, ms);
    sleepers.add(sleeper);
  };

  const onDelivery = (delivery: Delivery) => {
    const info = infoOf(delivery.destination);
    const job = new Job(delivery, info);
    held.hold(job);
    try {
      instruments.consumed.add(1, info.base);
      if (delivery.attempt > 1) instruments.redeliveries.add(1, info.base);
      if (stopping) return abandon(job);
      const prepared = prepare(delivery, byType, maxMessageBytes);
      if (!prepared.ok) {
        void deadLetter(job, prepared.reason, prepared.detail, 0);
        return;
      }
      if (delivery.attempt > policy.maxAttempts) {
        void deadLetter(
          job,
          'max-deliveries',
          `delivered ${delivery.attempt} times (the earlier attempts crashed or ran past their ack deadline)`,
          delivery.attempt - 1,
        );
        return;
      }
      job.event = prepared.event;
      const key = ordered ? prepared.event.key : undefined;
      if (key === undefined) return start(job);
      job.key = key;
      lanes.add(key, job);
    } catch (error) {
      unexpected(job, error);
    }
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
  const lagAttributes: Attributes = Object.freeze({
    [ATTR.system]: system,
    [ATTR.destination]: destinations.join(','),
    [ATTR.group]: group,
  });
  const observeLag = (result: { observe(value: number, attributes?: Attributes): void }) => {
    if (lastLag !== undefined) result.observe(lastLag, lagAttributes);
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
        for (const attempt of deadlines.entries()) {
          attempt.shutdown = true;
          const reason = new Error('the consumer is shutting down');
          attempt.controller?.abort(reason);
          owner.finish(attempt, false, reason);
        }
        for (const sleeper of [...sleepers]) {
          scheduler.clearTimeout(sleeper.timer);
          sleepers.delete(sleeper);
          abandon(sleeper.job);
        }
        deadlines.stop();
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
