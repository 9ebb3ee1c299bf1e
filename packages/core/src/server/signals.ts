import type { Logger } from '@milkyway/protocol';

/** Something closed gracefully on SIGTERM/SIGINT (a listening service). @internal */
export interface SignalSubscriber {
  /** Logs `shutting down` and a failed close. */
  logger: Logger;
  /** Closes gracefully; resolves once drained. */
  close(): Promise<unknown>;
}

/** The part of `process` the owner uses (a stand-in in tests). @internal */
export interface SignalHost {
  on(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  exit(code: number): void;
}

const SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * The one owner of SIGTERM and SIGINT in a process. Every listening service subscribes; on the
 * first signal all of them close together, and the process exits once the last one has drained
 * (code 1 if any close failed). Before, each service installed its own handlers and the first to
 * finish exited the process, cutting the others' drain. The process listeners exist only while
 * some service is subscribed, so a process without one keeps Node's default signal behaviour.
 * @internal
 */
export class ProcessSignals {
  readonly #host: SignalHost;
  readonly #subscribers = new Set<SignalSubscriber>();
  #installed = false;
  #shuttingDown = false;
  readonly #listener = (signal: NodeJS.Signals) => this.#onSignal(signal);

  constructor(host: SignalHost) {
    this.#host = host;
  }

  /** Subscribes a service; returns the function that unsubscribes it (call it once it closed). */
  subscribe(subscriber: SignalSubscriber): () => void {
    if (this.#shuttingDown) {
      // Listening while the process shuts down: close at once, the exit will not wait for it.
      void subscriber.close().catch(() => undefined);
      return () => undefined;
    }
    this.#subscribers.add(subscriber);
    if (!this.#installed) {
      this.#installed = true;
      for (const signal of SIGNALS) this.#host.on(signal, this.#listener);
    }
    return () => {
      this.#subscribers.delete(subscriber);
      // During a shutdown the listeners stay: a repeated signal must not kill the drain.
      if (this.#subscribers.size === 0 && !this.#shuttingDown) this.#uninstall();
    };
  }

  #uninstall(): void {
    if (!this.#installed) return;
    this.#installed = false;
    for (const signal of SIGNALS) this.#host.off(signal, this.#listener);
  }

  #onSignal(signal: NodeJS.Signals): void {
    // A repeated signal (e.g. sent to the whole process group) does not cut the drain short.
    if (this.#shuttingDown) return;
    this.#shuttingDown = true;
    const closing = [...this.#subscribers].map(async (subscriber) => {
      subscriber.logger.info({ signal }, 'shutting down');
      try {
        await subscriber.close();
        return true;
      } catch (error) {
        subscriber.logger.error({ err: error }, 'shutdown failed');
        return false;
      }
    });
    void Promise.all(closing).then((results) => this.#host.exit(results.every(Boolean) ? 0 : 1));
  }
}

const kOwner = Symbol.for('milkyway.processSignals');

/**
 * The process's signal owner, shared by every copy of @milkyway/core loaded in the process
 * (ESM and CJS builds, two versions): it lives on `globalThis` under a registered symbol.
 * @internal
 */
export function processSignals(): ProcessSignals {
  const holder = globalThis as { [kOwner]?: ProcessSignals };
  holder[kOwner] ??= new ProcessSignals(process);
  return holder[kOwner];
}
