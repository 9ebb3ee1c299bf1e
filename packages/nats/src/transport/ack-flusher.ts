import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Confirms that acks, naks and "in progress" signals reached the server: one PING/PONG
 * (`flush`) shared by every signal sent in the same turn of the event loop, so a settled
 * delivery resolves once the broker has it without a round trip per message.
 */
export class AckFlusher {
  #pending: Promise<void> | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {}

  flush(): Promise<void> {
    if (this.#pending) return this.#pending;
    const pending = new Promise<void>((resolve, reject) => {
      setImmediate(() => {
        this.#pending = undefined;
        const timer = setTimeout(
          () => reject(new Error(`NATS did not confirm the ack within ${this.timeoutMs} ms`)),
          this.timeoutMs,
        );
        this.nc.flush().then(
          () => {
            clearTimeout(timer);
            resolve();
          },
          (error: unknown) => {
            clearTimeout(timer);
            reject(error);
          },
        );
      });
    });
    this.#pending = pending;
    return pending;
  }
}
