import type { Policy } from '@milkyway/resilience';
import type { MiddlewareHandler } from 'hono';
import type { CloudEventEnvelope } from '../cloudevents/envelope.js';
import { PublishError } from '../errors/publish-error.js';
import type {
  DeliveryHandler,
  PublishOptions,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportHealth,
} from '../transport/transport.js';
import { defaultPushPolicy, pushTo } from './push-sender.js';
import { createReceiver, type PushSubscriber, type ReceiverOptions } from './receiver.js';

/**
 * Options of {@link httpPushTransport}.
 *
 * @example
 * ```ts
 * import type { HttpPushTransportOptions } from '@milkyway/events/http';
 *
 * const options: HttpPushTransportOptions = {
 *   subscribers: { 'order.placed.v1': ['http://127.0.0.1:3002/events'] },
 *   headers: () => ({ authorization: `Bearer ${process.env.EVENTS_TOKEN}` }),
 * };
 * ```
 */
export interface HttpPushTransportOptions {
  /** Receiver URLs per destination: a publish is durable once every one answered 2xx. */
  subscribers?: Readonly<Record<string, string | readonly string[]>>;
  /** Extra request headers for every POST (e.g. a service token). */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /**
   * The resilience policy per receiver URL (default: 10 s per attempt, 30 s in all, 4 attempts
   * with backoff honouring `Retry-After`, a circuit breaker), from `@milkyway/resilience`.
   */
  policy?: (url: string) => Policy;
  /** The fetch to use (default: the global one). */
  fetch?: typeof fetch;
}

/**
 * The HTTP-push transport: the sender side POSTs events to the receivers configured per
 * destination, and the receiving side is the {@link HttpPushTransport.receiver} middleware.
 *
 * @example
 * ```ts
 * import { httpPushTransport } from '@milkyway/events/http';
 * import { Hono } from 'hono';
 *
 * const transport = httpPushTransport();
 * const app = new Hono();
 * app.post('/events', transport.receiver());
 * ```
 */
export interface HttpPushTransport extends Transport {
  /**
   * The receiving endpoint as a Hono handler: checks the CloudEvents HTTP binding (400/413/415
   * problem+json when the request is not a valid event), hands the event to the local
   * subscriptions of its destination, and answers 204 only after every one acknowledged it
   * (the handler, and its inbox transaction, committed); 503 with `Retry-After` when one asked
   * for a retry or the consumer is full or stopping; 422 when it was dead-lettered.
   */
  receiver(options?: ReceiverOptions): MiddlewareHandler;
}

/**
 * Creates an HTTP-push transport: CloudEvents over the HTTP binding (binary mode, `ce-*`
 * headers), delivered directly to the subscribers' URLs with retries, a deadline and a
 * breaker. It is not a broker: nothing is stored in between, so pair the publisher with an
 * outbox (a publish fails while a receiver is down) and move to a broker (NATS JetStream) for
 * fan-out to many groups, replay, or consumers that are often offline.
 *
 * @example
 * ```ts
 * import { createEventBus, defineTopic } from '@milkyway/events';
 * import { httpPushTransport } from '@milkyway/events/http';
 * import { z } from 'zod';
 *
 * const orderPlaced = defineTopic({ name: 'order.placed', version: 1, schema: z.object({ orderId: z.string() }) });
 * const bus = createEventBus({
 *   source: '/orders',
 *   transport: httpPushTransport({ subscribers: { [orderPlaced.destination]: 'http://127.0.0.1:3002/events' } }),
 * });
 * await bus.publish(orderPlaced, { orderId: 'o-1' }); // resolves once the catalog answered 2xx
 * ```
 */
export function httpPushTransport(options: HttpPushTransportOptions = {}): HttpPushTransport {
  const routes = new Map<string, readonly string[]>();
  for (const [destination, urls] of Object.entries(options.subscribers ?? {})) {
    routes.set(destination, typeof urls === 'string' ? [urls] : urls);
  }
  const policies = new Map<string, Policy>();
  const makePolicy = options.policy ?? defaultPushPolicy;
  const sender = {
    fetch: options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => fetch(input, init)),
    headers: options.headers ?? (() => ({})),
    policyFor(url: string): Policy {
      let p = policies.get(url);
      if (!p) {
        p = makePolicy(url);
        policies.set(url, p);
      }
      return p;
    },
  };
  const subscribers = new Set<PushSubscriber>();
  const pending = new Set<(response: Response) => void>();
  let closed = false;

  return {
    system: 'http',
    async publish(destination: string, envelope: CloudEventEnvelope, publish?: PublishOptions) {
      if (closed)
        throw new PublishError(destination, 'the transport is closed', { retryable: false });
      const urls = routes.get(destination);
      if (!urls || urls.length === 0) {
        throw new PublishError(destination, 'no subscriber URL is configured for it', {
          retryable: false,
        });
      }
      await Promise.all(
        urls.map((url) => pushTo(sender, url, destination, envelope, publish?.signal)),
      );
    },
    async subscribe(
      subscribe: SubscribeOptions,
      onDelivery: DeliveryHandler,
    ): Promise<Subscription> {
      if (closed) throw new Error('http push transport: closed');
      const subscriber: PushSubscriber = {
        options: subscribe,
        onDelivery,
        inFlight: 0,
        stopped: false,
      };
      subscribers.add(subscriber);
      return {
        async stop() {
          subscriber.stopped = true;
          subscribers.delete(subscriber);
        },
      };
    },
    health(): TransportHealth {
      return closed ? { connected: false, detail: 'closed' } : { connected: true };
    },
    async close() {
      closed = true;
      subscribers.clear();
      // Requests still waiting for a handler are answered "retry later": the sender redelivers.
      for (const answer of [...pending]) answer(stoppingResponse());
      pending.clear();
    },
    receiver(receiverOptions = {}) {
      return createReceiver(() => (closed ? [] : [...subscribers]), pending, receiverOptions);
    },
  };
}

function stoppingResponse(): Response {
  return new Response(
    JSON.stringify({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      detail: 'the consumer is shutting down; retry later',
    }),
    { status: 503, headers: { 'content-type': 'application/problem+json', 'retry-after': '1' } },
  );
}
