import type { DeliveryHandler } from '@milkyway/events';
import type { Logger } from '@milkyway/protocol';
import type { Consumer, ConsumerMessages } from '@nats-io/jetstream';
import type { AckFlusher } from './ack-flusher.js';
import type { ConnectionState } from './connection-state.js';
import { jetstreamDelivery } from './jetstream-delivery.js';

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

/**
 * Pulls from one durable consumer with strict backpressure: it asks the server only for as
 * many messages as it has free slots (`maxInFlight` minus unsettled deliveries), so the
 * handler never has more than `maxInFlight` out and nothing waits in a client buffer with its
 * ack deadline running. A failed pull (broker down, consumer gone) is retried with a capped
 * backoff, after the connection is back: the loop resumes by itself.
 */
export class PullLoop {
  #inFlight = 0;
  #stopped = false;
  #current: ConsumerMessages | undefined;
  #wake: (() => void) | undefined;
  readonly #done: Promise<void>;
  readonly #refill: number;

  constructor(private readonly o: PullLoopOptions) {
    // Pull again once a quarter of the slots are free: fewer, larger pull requests.
    this.#refill = Math.max(1, Math.ceil(o.maxInFlight / 4));
    this.#done = this.#run();
  }

  #release = () => {
    this.#inFlight--;
    const free = this.o.maxInFlight - this.#inFlight;
    if (this.#wake && (free >= this.#refill || this.#inFlight === 0)) this.#wakeUp();
  };

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #sleep(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(() => this.#wakeUp(), ms);
      this.#wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#stopped) {
      const free = this.o.maxInFlight - this.#inFlight;
      if (free <= 0 || (free < this.#refill && this.#inFlight > 0)) {
        await this.#sleep(undefined);
        continue;
      }
      if (!this.o.state.connected) await this.o.state.whenConnected(1_000);
      if (this.#stopped || this.o.state.closed) break;
      try {
        const batch = await this.o.consumer.fetch({
          max_messages: free,
          expires: this.o.expiresMs,
        });
        this.#current = batch;
        if (this.#stopped) void batch.close();
        for await (const message of batch) {
          if (this.#stopped) {
            // Arrived after stop(): hand it back at once for another replica.
            message.nak();
            continue;
          }
          this.#inFlight++;
          const delivery = jetstreamDelivery(
            message,
            this.o.destination,
            this.o.flusher,
            this.#release,
            this.o.maxBodyBytes,
          );
          try {
            this.o.onDelivery(delivery);
          } catch (error) {
            this.o.logger.error(
              { err: error, destination: this.o.destination },
              'delivery handler threw',
            );
          }
        }
        failures = 0;
      } catch (error) {
        if (this.#stopped || this.o.state.closed) break;
        failures++;
        const backoffMs = Math.min(2_000, 50 * 2 ** failures);
        this.o.logger.warn(
          { err: error, destination: this.o.destination, retryInMs: backoffMs },
          'pulling from NATS failed; retrying',
        );
        await this.#sleep(backoffMs);
      } finally {
        this.#current = undefined;
      }
    }
  }

  /** Unsettled deliveries handed out. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Stops pulling; resolves once no new delivery can be handed out. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wakeUp();
    await this.#current?.close();
    await this.#done;
  }
}
