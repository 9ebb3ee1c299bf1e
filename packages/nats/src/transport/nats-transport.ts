import type {
  CloudEventEnvelope,
  DeliveryHandler,
  PublishOptions,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportHealth,
} from '@milkyway/events';
import { encodeBinary } from '@milkyway/events';
import { silentLogger } from '@milkyway/protocol';
import { abortable } from '@milkyway/resilience';
import {
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { connectNats } from '../connection/connect-nats.js';
import type { NatsConnectionConfig } from '../connection/nats-connection-config.js';
import { redactNatsUrl } from '../connection/redaction.js';
import { NatsPublishError } from '../errors/nats-publish-error.js';
import { provisionJetStream } from '../provisioning/provision.js';
import { AckFlusher } from './ack-flusher.js';
import { ConnectionState } from './connection-state.js';
import { publishHeaders } from './nats-headers.js';
import type { NatsTransportOptions } from './nats-transport-options.js';
import { PublishAcks } from './publish-acks.js';
import { publishFailure } from './publish-failure.js';
import { PullLoop } from './pull-loop.js';
import { defaultSubjectMapping } from './subject-mapping.js';

/**
 * The JetStream transport: a `Transport` of `@milkyway/events`, plus the connection it uses.
 *
 * @example
 * ```ts
 * import { natsTransport, type NatsTransport } from '@milkyway/nats';
 *
 * const transport: NatsTransport = await natsTransport({ connection: { servers: 'nats://127.0.0.1:4222' } });
 * console.info(transport.connection.getServer());
 * await transport.close();
 * ```
 */
export interface NatsTransport extends Transport {
  /** The NATS connection (for your own subjects or diagnostics; do not close it yourself). */
  readonly connection: NatsConnection;
}

function isConnection(value: NatsConnectionConfig | NatsConnection): value is NatsConnection {
  return typeof (value as NatsConnection).publish === 'function';
}

/**
 * Connects to NATS and returns the JetStream transport for `@milkyway/events`:
 *
 * - each destination is a subject in its own stream (see {@link defaultSubjectMapping}),
 *   created when first used, or only checked with `provisioning: 'check'`;
 * - a publish sends the event in CloudEvents binary mode (`ce-*` headers) with
 *   `Nats-Msg-Id` = the event id, so the stream drops a re-published copy inside its duplicate
 *   window, and resolves only when the stream acknowledged it; otherwise it rejects with a
 *   {@link NatsPublishError} (retryable while the connection is down — at once, never queued);
 *   acknowledgements come back on one reply subscription of the transport (`<inbox>.*`, under
 *   the connection's `inboxPrefix`), and their timeouts share one timer;
 * - each group is a durable pull consumer (explicit ack, `ack_wait` = the ack deadline,
 *   `max_deliver`), shared by every replica; it pulls only as many messages as free slots;
 * - `nak(delayMs)` redelivers after the delay (broker-side), `working()` extends the deadline;
 * - the acks, naks and `working()` signals of one turn of the event loop go out together in one
 *   socket write with one PING, and resolve when its PONG confirms the server has them;
 * - it reconnects forever; pulls resume by themselves; `health()` is false while down;
 * - `close()` stops the pulls, lets publishes in flight get their acknowledgement (each at
 *   most `publishTimeoutMs`), flushes queued acks, then closes the connection it opened.
 *
 * @example
 * ```ts
 * import { createEventBus, defineTopic } from '@milkyway/events';
 * import { natsTransport } from '@milkyway/nats';
 * import { z } from 'zod';
 *
 * const orderPlaced = defineTopic({ name: 'order.placed', version: 1, schema: z.object({ orderId: z.string() }) });
 * const transport = await natsTransport({ connection: { servers: 'nats://127.0.0.1:4222', name: 'orders' } });
 * const bus = createEventBus({ source: '/orders', transport });
 * await bus.publish(orderPlaced, { orderId: 'o-1' });
 * await bus.close();
 * ```
 */
export async function natsTransport(options: NatsTransportOptions): Promise<NatsTransport> {
  const owned = !isConnection(options.connection);
  const nc = isConnection(options.connection)
    ? options.connection
    : await connectNats(options.connection);
  const jsm = await jetstreamManager(nc);
  const js = jetstream(nc, { timeout: options.publishTimeoutMs ?? 5_000 });
  return new JetStreamTransport(nc, js, jsm, owned, options);
}

class JetStreamTransport implements NatsTransport {
  readonly system = 'nats';
  readonly #state: ConnectionState;
  readonly #flusher: AckFlusher;
  readonly #acks: PublishAcks;
  readonly #mapping;
  readonly #mode;
  readonly #streams = new Map<string, Promise<void>>();
  /** Destinations whose stream is known to exist: publish skips the check (hot path). */
  readonly #ready = new Set<string>();
  readonly #subscriptions = new Set<Subscription>();
  readonly #logger;
  #closed = false;

  constructor(
    readonly connection: NatsConnection,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly owned: boolean,
    private readonly options: NatsTransportOptions,
  ) {
    this.#state = new ConnectionState(connection);
    this.#flusher = new AckFlusher(connection, options.ackTimeoutMs ?? 5_000);
    this.#acks = new PublishAcks(connection, options.publishTimeoutMs ?? 5_000);
    this.#mapping = options.mapping ?? defaultSubjectMapping();
    this.#mode = options.provisioning ?? 'create';
    this.#logger = options.logger ?? silentLogger;
  }

  /** Creates or checks the destination's stream once (again after a failure). */
  #ensureStream(destination: string): Promise<void> {
    let ready = this.#streams.get(destination);
    if (!ready) {
      ready = provisionJetStream(this.jsm, {
        mode: this.#mode,
        streams: [
          {
            ...this.options.stream,
            name: this.#mapping.stream(destination),
            subjects: [this.#mapping.subject(destination)],
          },
        ],
      });
      ready.then(
        () => this.#ready.add(destination),
        () => this.#streams.delete(destination),
      );
      this.#streams.set(destination, ready);
    }
    return ready;
  }

  async publish(
    destination: string,
    envelope: CloudEventEnvelope,
    options?: PublishOptions,
  ): Promise<void> {
    const subject = this.#mapping.subject(destination);
    if (this.#closed || this.#state.closed) {
      throw new NatsPublishError(destination, subject, 'closed', 'the NATS transport is closed');
    }
    if (!this.#state.connected) {
      // Fail at once rather than let the client queue it behind a reconnection.
      throw new NatsPublishError(
        destination,
        subject,
        'disconnected',
        'the NATS connection is down and reconnecting; retry later',
      );
    }
    if (!this.#ready.has(destination)) {
      try {
        await this.#ensureStream(destination);
      } catch (error) {
        throw publishFailure(destination, subject, error, envelope.data.byteLength);
      }
    }
    const { headers, body } = encodeBinary(envelope, 'nats');
    const signal = options?.signal;
    signal?.throwIfAborted();
    // `Nats-Msg-Id` (the event id) is in the headers: the stream drops a re-published copy.
    const sent = this.#acks.publish(subject, body, publishHeaders(headers, envelope.attributes.id));
    try {
      await abortable(sent, signal);
    } catch (error) {
      if (signal?.aborted && error === signal.reason) throw error;
      const failure = publishFailure(destination, subject, error, envelope.data.byteLength);
      if (failure.reason === 'no-stream') {
        // The stream went away (deleted by hand?): the next publish provisions or checks again.
        this.#ready.delete(destination);
        this.#streams.delete(destination);
      }
      throw failure;
    }
  }

  async subscribe(options: SubscribeOptions, onDelivery: DeliveryHandler): Promise<Subscription> {
    if (this.#closed) throw new Error('the NATS transport is closed');
    const share = Math.max(1, Math.floor(options.maxInFlight / options.destinations.length));
    const loops: PullLoop[] = [];
    const consumers: { stream: string; durable: string }[] = [];
    for (const destination of options.destinations) {
      await this.#ensureStream(destination);
      const stream = this.#mapping.stream(destination);
      const durable = this.#mapping.durable(options.group, destination);
      await provisionJetStream(this.jsm, {
        mode: this.#mode,
        streams: [],
        consumers: [
          {
            stream,
            durable,
            filterSubject: this.#mapping.subject(destination),
            ackWaitMs: options.ackDeadlineMs,
            maxDeliver: options.maxDeliver,
            maxAckPending: this.options.maxAckPending ?? 1_000,
          },
        ],
      });
      consumers.push({ stream, durable });
      loops.push(
        new PullLoop({
          consumer: await this.js.consumers.get(stream, durable),
          destination,
          maxInFlight: share,
          expiresMs: Math.max(1_000, this.options.pullExpiresMs ?? 5_000),
          maxBodyBytes: this.options.maxBodyBytes,
          state: this.#state,
          flusher: this.#flusher,
          onDelivery,
          logger: this.#logger,
        }),
      );
    }
    const subscription: Subscription = {
      stop: async () => {
        this.#subscriptions.delete(subscription);
        await Promise.all(loops.map((loop) => loop.stop()));
      },
      lag: async () => {
        let total = 0;
        for (const { stream, durable } of consumers) {
          total += (await this.jsm.consumers.info(stream, durable)).num_pending;
        }
        return total;
      },
    };
    this.#subscriptions.add(subscription);
    return subscription;
  }

  health(): TransportHealth {
    if (this.#closed || this.#state.closed)
      return { connected: false, detail: 'NATS connection closed' };
    if (this.#state.connected) return { connected: true };
    const server = this.connection.getServer();
    return { connected: false, detail: `reconnecting to ${redactNatsUrl(server)}` };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all([...this.#subscriptions].map((s) => s.stop()));
    // Publishes in flight get their acknowledgement (or time out) before the socket closes.
    await this.#acks.drain();
    this.#acks.close();
    // Acks and naks queued in this turn go out (and are confirmed) before the socket closes.
    await this.#flusher.flushNow().catch(() => undefined);
    if (!this.owned) return;
    // Acks already sent reach the server before the socket closes.
    await this.connection.flush().catch(() => undefined);
    await this.connection.close();
  }
}
