import type { Scheduler } from '../transport/scheduler.js';
import type { Delivery } from '../transport/transport.js';

/** A delivery the consumer holds until it settles it (or abandons it at shutdown). */
export interface Held {
  readonly delivery: Delivery;
  settled: boolean;
}

/**
 * The deliveries a consumer holds, kept alive with ONE timer for all of them (not one per
 * message): every third of the ack deadline each gets `working()`, whether it is running,
 * retrying in place or waiting behind its key.
 */
export class HeldDeliveries {
  readonly #held = new Set<Held>();
  readonly #scheduler: Scheduler;
  readonly #tickMs: number;
  #ticker: unknown;
  #onEmpty: (() => void) | undefined;

  constructor(scheduler: Scheduler, ackDeadlineMs: number) {
    this.#scheduler = scheduler;
    this.#tickMs = Math.max(Math.floor(ackDeadlineMs / 3), 1);
  }

  /** Deliveries held now. */
  get size(): number {
    return this.#held.size;
  }

  /** Starts holding a delivery (the caller's own record of it). */
  hold(h: Held): void {
    this.#held.add(h);
    if (this.#ticker === undefined) this.#arm();
  }

  /** Stops holding it; the last one out stops the timer and calls the `whenEmpty` callback. */
  release(h: Held): void {
    if (!this.#held.delete(h)) return;
    if (this.#held.size > 0) return;
    this.#disarm();
    this.#onEmpty?.();
  }

  /** Resolves once nothing is held, or after `ms`. */
  whenEmpty(ms: number): Promise<void> {
    if (this.#held.size === 0) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = this.#scheduler.setTimeout(resolve, ms);
      this.#onEmpty = () => {
        this.#scheduler.clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Stops the keep-alive timer (shutdown). */
  stop(): void {
    this.#disarm();
  }

  #arm(): void {
    this.#ticker = this.#scheduler.setTimeout(() => {
      this.#ticker = undefined;
      for (const h of this.#held) h.delivery.working().catch(() => undefined);
      if (this.#held.size > 0) this.#arm();
    }, this.#tickMs);
  }

  #disarm(): void {
    if (this.#ticker !== undefined) this.#scheduler.clearTimeout(this.#ticker);
    this.#ticker = undefined;
  }
}
