import type { JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

const ACK = 0;
const NAK = 1;
const WORKING = 2;
type Kind = typeof ACK | typeof NAK | typeof WORKING;

/** The signals of one turn of the event loop and the promise they share. */
class Batch {
  readonly messages: JsMsg[] = [];
  readonly kinds: Kind[] = [];
  readonly delays: (number | undefined)[] = [];
  readonly promise: Promise<void>;
  resolve!: () => void;
  reject!: (error: unknown) => void;
  timer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    this.promise = new Promise<void>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
    // A caller that ignores the outcome of an ack must not crash the process: an ack the
    // server never confirmed is only a redelivery (at least once). Callers that await still
    // see the rejection.
    this.promise.catch(() => undefined);
  }
}

/**
 * Sends acks, naks and "in progress" signals in batches and confirms them: the signals given
 * in one turn of the event loop go out together at the end of the turn, followed by one PING,
 * in a single socket write; they resolve together when the PONG comes back (the server has
 * processed everything before it). A per-message write (what the client does when each ack
 * is sent on its own) costs more than the rest of the consume path together.
 */
export class AckFlusher {
  #batch: Batch | undefined;
  readonly #inFlight = new Set<Batch>();
  #closed = false;
  #scheduled = false;
  /** Work to do just before the signals go out (pull loops opening requests for freed slots). */
  readonly #beforeSend = new Set<() => void>();
  readonly #flush = () => {
    this.#scheduled = false;
    if (this.#beforeSend.size > 0) {
      const tasks = [...this.#beforeSend];
      this.#beforeSend.clear();
      for (const task of tasks) task();
    }
    this.#send();
  };

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {
    void nc.closed().then(() => {
      this.#closed = true;
      const error = new Error('the NATS connection closed before the server confirmed the ack');
      for (const batch of this.#inFlight) this.#settle(batch, error);
    });
  }

  /** Acknowledges `message`; resolves when the server confirmed it. */
  ack(message: JsMsg): Promise<void> {
    return this.#add(message, ACK, undefined);
  }

  /** Hands `message` back, redelivered after `delayMs` when given. */
  nak(message: JsMsg, delayMs: number | undefined): Promise<void> {
    return this.#add(message, NAK, delayMs);
  }

  /** Extends the ack deadline of `message`. */
  working(message: JsMsg): Promise<void> {
    return this.#add(message, WORKING, undefined);
  }

  /**
   * Runs `task` at the end of this turn of the event loop, just before the signals are sent:
   * what it writes (a pull request for the slots the acks freed) goes out in the same socket
   * write as the acks. Added twice in a turn, it runs once.
   */
  beforeSend(task: () => void): void {
    this.#beforeSend.add(task);
    this.#schedule();
  }

  /** Sends what is queued now (before a stop or a close) and waits for its confirmation. */
  flushNow(): Promise<void> {
    const batch = this.#batch;
    if (batch === undefined) return Promise.resolve();
    this.#send();
    return batch.promise;
  }

  #add(message: JsMsg, kind: Kind, delayMs: number | undefined): Promise<void> {
    let batch = this.#batch;
    if (batch === undefined) {
      batch = new Batch();
      this.#batch = batch;
      this.#schedule();
    }
    batch.messages.push(message);
    batch.kinds.push(kind);
    batch.delays.push(delayMs);
    return batch.promise;
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(this.#flush);
  }

  #send(): void {
    const batch = this.#batch;
    if (batch === undefined) return;
    this.#batch = undefined;
    if (this.#closed) {
      batch.reject(new Error('the NATS connection is closed'));
      return;
    }
    let failure: unknown;
    const { messages, kinds, delays } = batch;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      try {
        const kind = kinds[i];
        if (kind === ACK) message.ack();
        else if (kind === NAK) message.nak(delays[i]);
        else message.working();
      } catch (error) {
        failure ??= error;
      }
    }
    // Sent: the messages (and what they hold) need not live until the PONG.
    messages.length = 0;
    kinds.length = 0;
    delays.length = 0;
    if (failure !== undefined) {
      batch.reject(failure);
      return;
    }
    // The PING goes into the same write as the signals; its PONG confirms all of them.
    this.#inFlight.add(batch);
    batch.timer = setTimeout(
      () =>
        this.#settle(batch, new Error(`NATS did not confirm the ack within ${this.timeoutMs} ms`)),
      this.timeoutMs,
    );
    batch.timer.unref?.();
    this.nc.flush().then(
      () => this.#settle(batch, undefined),
      (error: unknown) => this.#settle(batch, error ?? new Error('NATS flush failed')),
    );
  }

  #settle(batch: Batch, error: unknown): void {
    if (!this.#inFlight.delete(batch)) return;
    clearTimeout(batch.timer);
    if (error === undefined) batch.resolve();
    else batch.reject(error);
  }
}
