/**
 * How the storefront's services send each other events, chosen by the environment:
 *
 * - `NATS_URL` set: NATS JetStream (`@milkyway/nats`). Streams and durable consumers are
 *   created on first use; `NATS_SUBJECT_PREFIX` (default `events`) prefixes every subject and
 *   stream, so several storefronts (e.g. parallel test runs) can share one server.
 * - otherwise HTTP push (`@milkyway/events/http`), which needs no broker: each service mounts
 *   the receiver at `POST /events`, and the sender posts each event to the `/events` of the
 *   service that consumes it (`ORDERS_URL`, `CATALOG_URL`). The outbox keeps what could not be
 *   delivered yet (the receiver is down) and the relay retries.
 *
 * `/events` is protected by a shared secret, `EVENTS_TOKEN`: senders add
 * `Authorization: Bearer <EVENTS_TOKEN>`, the receiver compares it in constant time and answers
 * 401 otherwise. User tokens (JWTs from identity) are NOT accepted there: an event is a claim
 * by a service ("stock reserved"), which no customer may make. The runner generates a random
 * token per run; a service started alone without one uses a fixed development token and says
 * so in its log.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import {
  type AsyncApiOptions,
  asyncApiDocument,
  asyncApiHandler,
  type CloudEventEnvelope,
  type PublishOptions,
  type Transport,
} from '@milkyway/events';
import { type HttpPushTransport, httpPushTransport } from '@milkyway/events/http';
import type { createLogger } from '@milkyway/observability';
import {
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import { type createStorefrontService, env } from './service-kit.js';

type Logger = ReturnType<typeof createLogger>;

/** The development token used when EVENTS_TOKEN is unset (a service started on its own). */
const DEV_EVENTS_TOKEN = 'storefront-dev-events-token';

/** The service's transport, and what the relay publishes with. */
export interface ServiceTransport {
  /** `nats` or `http`. */
  kind: 'nats' | 'http';
  /** For the event bus (consumers). */
  transport: Transport;
  /**
   * For the outbox relay. With HTTP push, an event nobody subscribes to over HTTP (e.g. the
   * final `order.confirmed`, which only orders' own read model follows, through the event log)
   * counts as published instead of being refused.
   */
  relayTransport: Pick<Transport, 'publish'>;
  /** The `POST /events` handlers (HTTP push only): the token check, then the receiver. */
  receiver?: [MiddlewareHandler, MiddlewareHandler];
  /** Where events are sent (for logs). */
  describe: string;
}

function eventsToken(logger: Logger): string {
  const token = process.env.EVENTS_TOKEN;
  if (token) return token;
  logger.warn('EVENTS_TOKEN is not set: /events uses the development token (never in production)');
  return DEV_EVENTS_TOKEN;
}

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Refuses a request to /events without `Authorization: Bearer <EVENTS_TOKEN>` (401 problem+json). */
function requireEventsToken(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const given = header.startsWith('Bearer ') ? header.slice(7) : '';
    if (!given || !timingSafeEqual(digest(given), expected)) {
      return c.json(
        {
          type: 'about:blank',
          title: 'Unauthorized',
          status: 401,
          detail: 'POST /events needs the services’ EVENTS_TOKEN',
        },
        401,
        { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer' },
      );
    }
    await next();
  };
}

/**
 * Creates the transport. `pushTo` maps each destination this service publishes to the base URL
 * of the service consuming it (HTTP push only; `/events` is appended).
 */
export async function createServiceTransport(
  service: string,
  logger: Logger,
  pushTo: Record<string, string>,
  /** Where dead letters go with HTTP push (JetStream keeps them in `dead-letter.<group>`). */
  keepDeadLetter: (destination: string, envelope: CloudEventEnvelope) => Promise<void>,
): Promise<ServiceTransport> {
  if (process.env.NATS_URL) {
    const { defaultSubjectMapping, natsConfigFromEnv, natsTransport } = await import(
      '@milkyway/nats'
    );
    const prefix = env('NATS_SUBJECT_PREFIX', 'events');
    const transport = await natsTransport({
      connection: { ...natsConfigFromEnv(), name: service },
      mapping: defaultSubjectMapping({ subjectPrefix: prefix }),
      logger,
    });
    return {
      kind: 'nats',
      transport,
      relayTransport: tracedRelay(transport, 'nats'),
      describe: `nats jetstream (subjects ${prefix}.*)`,
    };
  }
  const token = eventsToken(logger);
  const subscribers = Object.fromEntries(
    Object.entries(pushTo).map(([destination, base]) => [destination, `${base}/events`]),
  );
  const transport: HttpPushTransport = httpPushTransport({
    subscribers,
    headers: () => ({ authorization: `Bearer ${token}` }),
  });
  const traced = tracedRelay(transport, 'http');
  const relayTransport: Pick<Transport, 'publish'> = {
    publish(destination: string, envelope: CloudEventEnvelope, options?: PublishOptions) {
      if (!subscribers[destination]) return Promise.resolve();
      return traced.publish(destination, envelope, options);
    },
  };
  // The consumers' dead letters stay in this service (nobody to push them to).
  const consuming: Transport = {
    ...transport,
    async publish(destination, envelope, options) {
      if (!destination.startsWith('dead-letter.')) {
        return transport.publish(destination, envelope, options);
      }
      logger.error(
        { destination, event: envelope.attributes.id, type: envelope.attributes.type },
        'an event was dead-lettered (kept in the dead_letters table)',
      );
      await keepDeadLetter(destination, envelope);
    },
  };
  return {
    kind: 'http',
    transport: consuming,
    relayTransport,
    receiver: [requireEventsToken(token), transport.receiver({ maxBodyBytes: 256 * 1024 })],
    describe: `http push (${Object.values(subscribers).join(', ') || 'nothing to send'})`,
  };
}

/**
 * Mounts `POST /events` (HTTP push only: the token check, then the receiver) and
 * `GET /asyncapi.json`, the AsyncAPI 3.0 document of what the service publishes and consumes.
 */
export function serveEvents(
  service: ReturnType<typeof createStorefrontService>['service'],
  messaging: ServiceTransport,
  asyncapi: AsyncApiOptions,
) {
  if (messaging.receiver) {
    const [check, receive] = messaging.receiver;
    service.post(
      '/events',
      {
        responses: {
          204: { description: 'The event was handled (or was a duplicate)' },
          400: { description: 'Not a CloudEvent' },
          401: { description: 'Missing or wrong EVENTS_TOKEN' },
          404: { description: 'No consumer here for that destination' },
          413: { description: 'Too large' },
          415: { description: 'Not JSON' },
          422: { description: 'Refused: the event fails its schema' },
          503: { description: 'Not handled yet: retry later (Retry-After)' },
        },
        summary: 'Receives the events other services push (HTTP push; services only, EVENTS_TOKEN)',
        tags: ['events'],
      },
      check,
      // The receiver answers with plain Responses (the statuses documented above).
      async (c, next) => (await receive(c, next)) as never,
    );
  }
  service.get('/asyncapi.json', { hidden: true }, asyncApiHandler(asyncApiDocument(asyncapi)));
}

const tracer = trace.getTracer('storefront-relay');
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/**
 * The relay's publishes as PRODUCER spans (`relay <destination>`), children of the span that
 * wrote the outbox row (its `traceparent`); the event leaves with the relay span's
 * traceparent, so one trace reads: request -> transaction -> relay -> consumer.
 */
function tracedRelay(
  transport: Pick<Transport, 'publish'>,
  system: string,
): Pick<Transport, 'publish'> {
  return {
    publish(destination, envelope, options) {
      const written = TRACEPARENT.exec(envelope.attributes.traceparent ?? '');
      const parent = written
        ? trace.setSpanContext(ROOT_CONTEXT, {
            traceId: written[1]!,
            spanId: written[2]!,
            traceFlags: Number.parseInt(written[3]!, 16),
            isRemote: true,
          })
        : ROOT_CONTEXT;
      return tracer.startActiveSpan(
        `relay ${destination}`,
        {
          kind: SpanKind.PRODUCER,
          attributes: {
            'messaging.system': system,
            'messaging.destination.name': destination,
            'messaging.operation.type': 'send',
            'messaging.message.id': envelope.attributes.id,
          },
        },
        parent,
        async (span) => {
          const sc = span.spanContext();
          const outgoing =
            isSpanContextValid(sc) && span.isRecording()
              ? {
                  ...envelope,
                  attributes: {
                    ...envelope.attributes,
                    traceparent: `00-${sc.traceId}-${sc.spanId}-${sc.traceFlags.toString(16).padStart(2, '0')}`,
                  },
                }
              : envelope;
          try {
            await transport.publish(destination, outgoing, options);
          } catch (error) {
            span.recordException(error as Error);
            span.setStatus({ code: SpanStatusCode.ERROR });
            throw error;
          } finally {
            span.end();
          }
        },
      );
    },
  };
}
