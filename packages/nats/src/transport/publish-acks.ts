import type { Msg, MsgHdrs, NatsConnection, Subscription } from '@nats-io/transport-node';
import { createInbox } from '@nats-io/transport-node';

/** How a publish ended without an acknowledgement (mapped to a `NatsPublishError` by the caller). */
export type PublishAckFailure =
  /** No acknowledgement within the timeout: it may or may not be stored. */
  | { kind: 'timeout' }
  /** The reply subscription or the connection closed first. */
  | { kind: 'closed' }
  /** Nothing answers on the subject: no stream stores it (or JetStream is off). */
  | { kind: 'no-responders' }
  /** The stream answered with an API error (`err_code` as in the JetStream API). */
  | { kind: 'api-error'; code: number; errCode: number; description: string }
  /** The client refused to send it (e.g. larger than the server's `max_payload`), or failed the reply subscription. */
  | { kind: 'client-error'; error: unknown }
  /** The reply was not a JetStream acknowledgement. */
  | { kind: 'invalid-ack'; detail: string };

/** The rejection value of {@link PublishAcks.publish}. */
export class PublishAckError extends Error {
  constructor(readonly failure: PublishAckFailure) {
    super(`JetStream publish not acknowledged: ${failure.kind}`);
    this.name = 'PublishAckError';
  }
}

interface Pending {
  resolve(): void;
  reject(error: PublishAckError): void;
  deadline: number;
}

const decoder = new TextDecoder();

/** The connection's inbox prefix (a permission setting of the connection), or NATS's default. */
function inboxPrefixOf(nc: NatsConnection): string | undefined {
  const prefix = (nc as { options?: { inboxPrefix?: unknown } }).options?.inboxPrefix;
  return typeof prefix === 'string' && prefix.length > 0 ? prefix : undefined;
}

/**
 * JetStream publishes acknowledged through one reply subscription: each publish is a plain
 * `HPUB` with a reply subject `<inbox>.<token>`, and the stream's acknowledgement comes back on
 * the transport's wildcard subscription. It is what `js.publish` does over `nc.request`, without
 * what the client allocates per request (a request object, a promise wrapper, a timer, and an
 * `Error` with a captured stack that is built even when the request succeeds — over a fifth of
 * a publish's CPU): deadlines share one timer, since every publish has the same timeout and the
 * pending map keeps them in deadline order.
 */
export class PublishAcks {
  readonly #pending = new Map<string, Pending>();
  readonly #inbox: string;
  readonly #tokenStart: number;
  #subscription: Subscription | undefined;
  #sequence = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;
  #drained: (() => void)[] = [];

  constructor(
    private readonly nc: NatsConnection,
    private readonly timeoutMs: number,
  ) {
    this.#inbox = createInbox(inboxPrefixOf(nc));
    this.#tokenStart = this.#inbox.length + 1;
  }

  /**
   * Publishes `body` to `subject` and resolves once the stream acknowledged it; rejects with a
   * {@link PublishAckError} otherwise. Never throws synchronously.
   */
  publish(subject: string, body: Uint8Array, headers: MsgHdrs): Promise<void> {
    if (this.#closed) return Promise.reject(new PublishAckError({ kind: 'closed' }));
    const token = (this.#sequence++).toString(36);
    return new Promise<void>((resolve, reject) => {
      try {
        // Subscribed on first use (and again after the server ended the subscription).
        this.#subscription ??= this.#subscribe();
        this.nc.publish(subject, body, { reply: `${this.#inbox}.${token}`, headers });
      } catch (error) {
        reject(new PublishAckError({ kind: 'client-error', error }));
        return;
      }
      this.#pending.set(token, { resolve, reject, deadline: Date.now() + this.timeoutMs });
      this.#timer ??= this.#arm(this.timeoutMs);
    });
  }

  /**
   * Resolves once no publish waits for its acknowledgement (each ends with its ack, its
   * timeout, or the connection's close); new publishes are still accepted meanwhile.
   */
  drain(): Promise<void> {
    if (this.#pending.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.#drained.push(resolve));
  }

  /** Rejects every pending publish as closed and stops listening. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#subscription?.unsubscribe();
    this.#failAll({ kind: 'closed' });
  }

  #subscribe(): Subscription {
    const subscription = this.nc.subscribe(`${this.#inbox}.*`, {
      callback: (error, msg) => {
        if (error) this.#failAll({ kind: 'client-error', error });
        else this.#settle(msg);
      },
    });
    const ended = () => {
      // The connection closed (by its owner, or for good): nothing will answer any more.
      if (this.nc.isClosed()) this.close();
      else if (this.#subscription === subscription) {
        // Refused by the server (permissions?): the next publish subscribes again.
        this.#subscription = undefined;
        this.#failAll({ kind: 'closed' });
      }
    };
    void subscription.closed.then(ended, ended);
    return subscription;
  }

  #settle(msg: Msg): void {
    const token = msg.subject.slice(this.#tokenStart);
    const entry = this.#pending.get(token);
    if (entry === undefined) return; // timed out already, or a stray reply
    this.#pending.delete(token);
    const failure = ackFailure(msg);
    if (failure === undefined) entry.resolve();
    else entry.reject(new PublishAckError(failure));
    if (this.#pending.size === 0) this.#wakeDrained();
  }

  #wakeDrained(): void {
    if (this.#drained.length === 0) return;
    const waiters = this.#drained;
    this.#drained = [];
    for (const wake of waiters) wake();
  }

  #arm(delayMs: number): ReturnType<typeof setTimeout> {
    const timer = setTimeout(() => this.#expire(), delayMs);
    // Pending publishes do not keep a process alive on their own (the caller's await does not).
    timer.unref?.();
    return timer;
  }

  /** Rejects the publishes past their deadline (the oldest come first), then re-arms. */
  #expire(): void {
    this.#timer = undefined;
    const now = Date.now();
    for (const [token, entry] of this.#pending) {
      if (entry.deadline > now) {
        this.#timer = this.#arm(entry.deadline - now);
        return;
      }
      this.#pending.delete(token);
      entry.reject(new PublishAckError({ kind: 'timeout' }));
    }
    this.#wakeDrained();
  }

  #failAll(failure: PublishAckFailure): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    const entries = [...this.#pending.values()];
    this.#pending.clear();
    for (const entry of entries) entry.reject(new PublishAckError(failure));
    this.#wakeDrained();
  }
}

/** Undefined for a JetStream acknowledgement; what went wrong otherwise. */
function ackFailure(msg: Msg): PublishAckFailure | undefined {
  if (msg.data.length === 0) {
    // A status message: 503 is "no responders" (nothing listens on the subject).
    const code = msg.headers?.code;
    return code === 503
      ? { kind: 'no-responders' }
      : { kind: 'invalid-ack', detail: `status ${code ?? 'none'} with an empty body` };
  }
  let reply: {
    stream?: unknown;
    error?: { code?: number; err_code?: number; description?: string };
  };
  try {
    reply = JSON.parse(decoder.decode(msg.data));
  } catch {
    return { kind: 'invalid-ack', detail: 'the reply is not JSON' };
  }
  if (reply.error !== undefined) {
    return {
      kind: 'api-error',
      code: reply.error.code ?? 0,
      errCode: reply.error.err_code ?? 0,
      description: reply.error.description ?? 'no description',
    };
  }
  if (typeof reply.stream !== 'string' || reply.stream === '') {
    return { kind: 'invalid-ack', detail: 'the reply names no stream' };
  }
  return undefined;
}
