import { type Delivery, decodeBinary } from '@milkyway/events';
import type { JsMsg } from '@nats-io/jetstream';
import type { AckFlusher } from './ack-flusher.js';
import { fromNatsHeaders } from './nats-headers.js';

const settledAlready = Promise.resolve();

/**
 * A {@link Delivery} over a JetStream message: the first `ack()`/`nak()` settles it (later calls
 * are ignored) and frees its slot at once; the returned promise resolves when the server has
 * the signal.
 */
export function jetstreamDelivery(
  message: JsMsg,
  destination: string,
  flusher: AckFlusher,
  release: () => void,
  maxBodyBytes: number | undefined,
): Delivery {
  const headers = fromNatsHeaders(message.headers);
  const body = message.data;
  let settled = false;
  const settle = (signal: () => void): Promise<void> => {
    if (settled) return settledAlready;
    settled = true;
    release();
    try {
      signal();
    } catch (error) {
      return Promise.reject(error);
    }
    return flusher.flush();
  };
  return {
    destination,
    message: decodeBinary({ headers, body, binding: 'nats', maxBodyBytes }),
    headers,
    body,
    attempt: message.info.deliveryCount,
    ack: () => settle(() => message.ack()),
    nak: (delayMs) => settle(() => message.nak(delayMs && delayMs > 0 ? delayMs : undefined)),
    working: () => {
      if (settled) return settledAlready;
      try {
        message.working();
      } catch (error) {
        return Promise.reject(error);
      }
      return flusher.flush();
    },
  };
}
