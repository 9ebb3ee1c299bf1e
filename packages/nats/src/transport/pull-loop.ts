import type { DeliveryHandler } from '@milkyway/events';
import type { Logger } from '@milkyway/protocol';
import type { Consumer, ConsumerMessages, FetchOptions, JsMsg } from '@nats-io/jetstream';
import type { AckFlusher } from './ack-flusher.js';
import type { ConnectionState } from './connection-state.js';
import { JetStreamDelivery } from './jetstream-delivery.js';

/** What a {@link PullLoop} needs. */
export interface PullLoopOptions {
  consumer: Consumer;
  destination: string;
  /** Most deliveries out and unsettled at once (requested-but-not-arrived ones included). */
  maxInFlight: number;
  /** How long one pull request waits on the server for messages, in ms (≥ 1 000). */
  expiresMs: number;
  maxBodyBytes: number | undefined;
  state: ConnectionState;
  flusher: AckFlusher;
  onDelivery: DeliveryHandler;
  logger: Logger;
}

/** Pull requests open at once: enough to keep one waiting on the server while another fills. */
const MAX_OPEN_PULLS = 4;

/**
 * Pulls from one durable consumer with strict backpressure: it asks the server only for as
 * many messages as it has free slots (`maxInFlight` minus unsettled deliveries minus messages
 * already requested), so the handler never has more than `maxInFlight` out and nothing waits
 * in a client buffer with its ack deadline running. Pull requests overlap (a new one starts as
 * soon as a quarter of the slots is free), so the server always has one to fill. A failed pull
 * (broker down, consumer gone) is retried with a capped backoff once the connection is back:
 * the loop resumes by itself.
 */
export class PullLoop {
  #inFlight = 0;
  /** Messages asked for by open pull requests and not arrived yet. */
  #requested = 0;
  readonly #open = new Set<ConsumerMessages>();
  readonly #running = new Set<Promise<void>>();
  #stopped = false;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #waitingForConnection = false;
  readonly #refill: number;

  constructor(private readonly o: PullLoopOptions) {
    this.#refill = Math.max(1, Math.ceil(o.maxInFlight / 4));
    this.#pump();
  }

  #release = () => {
    this.#inFlight--;
    // Pulls for the freed slots are opened at the end of the turn, once for all the acks of
    // the turn, and go out in the same socket write as those acks.
    this.o.flusher.beforeSend(this.#pumpNow);
  };
  readonly #pumpNow = () => this.#pump();

  /** Opens pull requests for the free slots, if enough are free. */
  #pump(): void {
    while (!this.#stopped && this.#retryTimer === undefined && this.#open.size < MAX_OPEN_PULLS) {
      const free = this.o.maxInFlight - this.#inFlight - this.#requested;
      const idle = this.#inFlight + this.#requested === 0;
      if (free <= 0 || (free < this.#refill && !idle)) return;
      if (!this.o.state.connected) {
        if (this.#waitingForConnection) return;
        this.#waitingForConnection = true;
        void this.o.state.whenConnected(1_000).then(() => {
          this.#waitingForConnection = false;
          this.#pump();
        });
        return;
      }
      this.#requested += free;
      const running = this.#pull(free).finally(() => {
        this.#running.delete(running);
        this.#pump();
      });
      this.#running.add(running);
    }
  }

  async #pull(asked: number): Promise<void> {
    // Messages of this request that arrived (the rest were never sent when it ends).
    const got = { arrived: 0 };
    let batch: ConsumerMessages | undefined;
    try {
      // The callback form: the client calls it from its socket reader, in the order the server
      // sent the messages (the server fills requests oldest first, so the order of delivery
      // holds across overlapping requests: keyed ordering relies on it), with no async
      // iterator, queue or promise per message.
      batch = await this.o.consumer.fetch({
        max_messages: asked,
        expires: this.o.expiresMs,
        // No consumer-info round trip before each pull (subscribe checked that it exists).
        bind: true,
        callback: (message: JsMsg) => this.#arrived(message, got),
      } as FetchOptions);
      this.#open.add(batch);
      if (this.#stopped) void batch.close();
      // In the callback form the request's end (all arrived, expired, or failed) resolves
      // `closed()` with the error, if any, instead of throwing from an iterator.
      const error = await batch.closed();
      if (error) throw error;
      this.#failures = 0;
    } catch (error) {
      if (this.#stopped || this.o.state.closed) return;
      this.#failures++;
      const backoffMs = Math.min(2_000, 50 * 2 ** this.#failures);
      this.o.logger.warn(
        { err: error, destination: this.o.destination, retryInMs: backoffMs },
        'pulling from NATS failed; retrying',
      );
      if (this.#retryTimer === undefined) {
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = undefined;
          this.#pump();
        }, backoffMs);
      }
    } finally {
      this.#requested -= asked - got.arrived;
      if (batch) this.#open.delete(batch);
    }
  }

  /** One message of a pull request: handed to the handler, or back to the server after stop. */
  #arrived(message: JsMsg, got: { arrived: number }): void {
    got.arrived++;
    this.#requested--;
    if (this.#stopped) {
      // Arrived after stop(): hand it back at once for another replica.
      message.nak();
      return;
    }
    let delivery: JetStreamDelivery;
    try {
      delivery = new JetStreamDelivery(
        message,
        this.o.destination,
        this.o.flusher,
        this.#release,
        this.o.maxBodyBytes,
      );
    } catch (error) {
      // Not a JetStream message of this consumer: left unacknowledged (max deliver ends it).
      this.o.logger.error({ err: error, destination: this.o.destination }, 'unreadable message');
      return;
    }
    this.#inFlight++;
    try {
      this.o.onDelivery(delivery);
    } catch (error) {
      this.o.logger.error(
        { err: error, destination: this.o.destination },
        'delivery handler threw',
      );
    }
  }

  /** Unsettled deliveries handed out. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Stops pulling; resolves once no new delivery can be handed out. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retryTimer);
    await Promise.all([...this.#open].map((batch) => batch.close()));
    await Promise.all([...this.#running]);
  }
}
