import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Follows a connection's status events: whether it is up, and a promise that resolves at the
 * next reconnection (for loops that wait out an outage instead of spinning).
 */
export class ConnectionState {
  connected = true;
  closed = false;
  #waiters: (() => void)[] = [];

  constructor(private readonly nc: NatsConnection) {
    void this.#follow();
    void nc.closed().then(() => this.#set(false, true));
  }

  async #follow(): Promise<void> {
    for await (const status of this.nc.status()) {
      if (status.type === 'disconnect') this.#set(false);
      else if (status.type === 'reconnect') this.#set(true);
      else if (status.type === 'close') this.#set(false, true);
    }
  }

  #set(connected: boolean, closed = this.closed): void {
    this.connected = connected && !closed;
    this.closed = closed;
    if (this.connected || closed) {
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const wake of waiters) wake();
    }
  }

  /** Resolves when connected (at once if it is), when closed, or after `maxWaitMs`. */
  whenConnected(maxWaitMs: number): Promise<void> {
    if (this.connected || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, maxWaitMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#waiters.push(done);
    });
  }
}
