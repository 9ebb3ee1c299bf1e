import { instrumentationScope } from '@milkyway/protocol';
import {
  type Attributes,
  type Counter,
  type Histogram,
  type Meter,
  metrics,
  type ObservableGauge,
  type Tracer,
  trace,
} from '@opentelemetry/api';

const SCOPE = instrumentationScope('events');

/** Tracer and metric instruments of one bus (created once, not per message). */
export interface Instruments {
  readonly tracer: Tracer;
  readonly meter: Meter;
  /** `messaging.client.sent.messages` (semconv). */
  readonly sent: Counter<Attributes>;
  /** `messaging.client.consumed.messages` (semconv): deliveries received. */
  readonly consumed: Counter<Attributes>;
  /** `messaging.process.duration` (semconv), seconds. */
  readonly processDuration: Histogram<Attributes>;
  /** `milkyway.events.processed` by `milkyway.events.outcome`. */
  readonly processed: Counter<Attributes>;
  /** `milkyway.events.redeliveries`: deliveries with attempt > 1. */
  readonly redeliveries: Counter<Attributes>;
  /** `milkyway.events.dead_lettered` by `milkyway.events.dead_letter.reason`. */
  readonly deadLettered: Counter<Attributes>;
  /** `milkyway.events.consumer.lag`: each consumer adds a callback. */
  readonly lag: ObservableGauge<Attributes>;
}

/** The instruments on the global tracer and meter providers (no-ops until an SDK is set up). */
export function createInstruments(): Instruments {
  const meter = metrics.getMeter(SCOPE);
  return {
    tracer: trace.getTracer(SCOPE),
    meter,
    sent: meter.createCounter('messaging.client.sent.messages', {
      description: 'Messages a producer sent (acknowledged or failed: see error.type).',
      unit: '{message}',
    }),
    consumed: meter.createCounter('messaging.client.consumed.messages', {
      description: 'Deliveries a consumer received.',
      unit: '{message}',
    }),
    processDuration: meter.createHistogram('messaging.process.duration', {
      description: 'Duration of one processing attempt of a message.',
      unit: 's',
      advice: {
        explicitBucketBoundaries: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      },
    }),
    processed: meter.createCounter('milkyway.events.processed', {
      description:
        'Processing attempts by outcome: success, duplicate, retry, dead_letter, abandoned.',
      unit: '{message}',
    }),
    redeliveries: meter.createCounter('milkyway.events.redeliveries', {
      description: 'Deliveries of a message that was delivered before.',
      unit: '{message}',
    }),
    deadLettered: meter.createCounter('milkyway.events.dead_lettered', {
      description: 'Messages moved to a dead-letter destination, by reason.',
      unit: '{message}',
    }),
    lag: meter.createObservableGauge('milkyway.events.consumer.lag', {
      description: 'Messages waiting for a consumer group, as the transport reports it.',
      unit: '{message}',
    }),
  };
}

/** Attribute names of the OpenTelemetry messaging semantic conventions used here. */
export const ATTR = {
  system: 'messaging.system',
  destination: 'messaging.destination.name',
  operationType: 'messaging.operation.type',
  operationName: 'messaging.operation.name',
  messageId: 'messaging.message.id',
  group: 'messaging.consumer.group.name',
  bodySize: 'messaging.message.body.size',
  deliveryCount: 'messaging.message.delivery_count',
  errorType: 'error.type',
  outcome: 'milkyway.events.outcome',
  deadLetterReason: 'milkyway.events.dead_letter.reason',
  eventType: 'cloudevents.event_type',
} as const;
