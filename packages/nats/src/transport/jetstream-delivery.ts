import { type DecodeResult, type Delivery, decodeBinary } from '@milkyway/events';
import type { JsMsg } from '@nats-io/jetstream';
import type { AckFlusher } from './ack-flusher.js';
import { deliveryCountOf, headersOfMessage } from './nats-headers.js';

const settledAlready = Promise.resolve();

/**
 * A {@link Delivery} over a JetStream message: the first `ack()`/`nak()` settles it (later calls
 * are ignored) and frees its slot at once; the signal goes out with the others of the same turn
 * of the event loop, and the returned promise resolves when the server has it.
 */
export class JetStreamDelivery implements Delivery {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  readonly message: DecodeResult;
  readonly attempt: number;
  #settled = false;

  constructor(
    private readonly jsMessage: JsMsg,
    readonly destination: string,
    private readonly flusher: AckFlusher,
    private readonly release: () => void,
    maxBodyBytes: number | undefined,
  ) {
    const headers = headersOfMessage(jsMessage);
    const body = jsMessage.data;
    this.headers = headers;
    this.body = body;
    this.message = decodeBinary({ headers, body, binding: 'nats', maxBodyBytes });
    this.attempt = deliveryCountOf(jsMessage);
  }

  ack(): Promise<void> {
    if (this.#settled) return settledAlready;
    this.#settled = true;
    this.release();
    return this.flusher.ack(this.jsMessage);
  }

  nak(delayMs?: number): Promise<void> {
    if (this.#settled) return settledAlready;
    this.#settled = true;
    this.release();
    return this.flusher.nak(this.jsMessage, delayMs && delayMs > 0 ? delayMs : undefined);
  }

  working(): Promise<void> {
    if (this.#settled) return settledAlready;
    return this.flusher.working(this.jsMessage);
  }
}
