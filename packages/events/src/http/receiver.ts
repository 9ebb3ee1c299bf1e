import type { MiddlewareHandler } from 'hono';
import { decodeBinary } from '../cloudevents/binary-mode.js';
import type { Delivery, DeliveryHandler, SubscribeOptions } from '../transport/transport.js';
import { problemResponse } from './problem-response.js';
import { PUSH_ATTEMPT_HEADER, PUSH_DESTINATION_HEADER } from './push-headers.js';

/**
 * Options of `transport.receiver()`.
 *
 * @example
 * ```ts
 * import type { ReceiverOptions } from '@milkyway/events/http';
 *
 * const options: ReceiverOptions = { maxBodyBytes: 262_144 };
 * ```
 */
export interface ReceiverOptions {
  /** Larger requests are refused with 413 before they are read in full (default 1 MiB). */
  maxBodyBytes?: number;
}

/** A local subscription of the receiving side. */
export interface PushSubscriber {
  readonly options: SubscribeOptions;
  readonly onDelivery: DeliveryHandler;
  inFlight: number;
  stopped: boolean;
}

type Outcome =
  | { kind: 'ack' }
  | { kind: 'nak'; delayMs: number }
  | { kind: 'reject'; reason: string; detail: string };

/** Builds the receiving Hono handler over the transport's current subscribers. */
export function createReceiver(
  subscribers: () => readonly PushSubscriber[],
  pending: Set<(response: Response) => void>,
  options: ReceiverOptions,
): MiddlewareHandler {
  const maxBodyBytes = options.maxBodyBytes ?? 1_048_576;
  return async (c) => {
    const request = c.req.raw;
    const declared = Number(request.headers.get('content-length'));
    if (Number.isFinite(declared) && declared > maxBodyBytes) return tooLarge(maxBodyBytes);
    const body = await readBounded(request, maxBodyBytes);
    if (!body) return tooLarge(maxBodyBytes);

    const headers: Record<string, string> = {};
    request.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const message = decodeBinary({ headers, body, binding: 'http', maxBodyBytes });
    if (!message.ok) {
      const status = message.reason === 'unsupported-content-type' ? 415 : 400;
      return problemResponse(status, 'Not a CloudEvent', message.detail, {
        reason: message.reason,
      });
    }

    const all = subscribers();
    const destination =
      headers[PUSH_DESTINATION_HEADER] ??
      singleDestination(all) ??
      message.envelope.attributes.type;
    const targets = all.filter((s) => !s.stopped && s.options.destinations.includes(destination));
    if (targets.length === 0) {
      return all.length === 0
        ? problemResponse(503, 'Service Unavailable', 'no consumer is running; retry later', {
            retryAfterSeconds: 1,
          })
        : problemResponse(404, 'Not Found', `no consumer here for destination ${destination}`);
    }
    if (targets.some((s) => s.inFlight >= s.options.maxInFlight)) {
      return problemResponse(503, 'Service Unavailable', 'the consumer is at its limit', {
        retryAfterSeconds: 1,
      });
    }
    const attempt = Math.max(1, Number.parseInt(headers[PUSH_ATTEMPT_HEADER] ?? '1', 10) || 1);

    let answer: (response: Response) => void = () => undefined;
    const early = new Promise<Response>((resolve) => {
      answer = resolve;
    });
    pending.add(answer);
    const outcomes = targets.map((subscriber) => {
      subscriber.inFlight++;
      return new Promise<Outcome>((resolve) => {
        let settled = false;
        const settle = (outcome: Outcome) => {
          if (settled) return;
          settled = true;
          subscriber.inFlight--;
          resolve(outcome);
        };
        const delivery: Delivery = {
          destination,
          message,
          headers,
          body,
          attempt,
          ack: async () => settle({ kind: 'ack' }),
          nak: async (delayMs = 0) => settle({ kind: 'nak', delayMs }),
          working: async () => undefined, // the request stays open while the handler runs
          reject: async (reason, detail) => settle({ kind: 'reject', reason, detail }),
        };
        try {
          subscriber.onDelivery(delivery);
        } catch {
          settle({ kind: 'nak', delayMs: 1_000 });
        }
      });
    });
    const response = await Promise.race([
      Promise.all(outcomes).then(respond),
      early, // the transport closed first
    ]);
    pending.delete(answer);
    return response;
  };
}

function respond(outcomes: readonly Outcome[]): Response {
  const rejected = outcomes.find((o) => o.kind === 'reject');
  if (rejected && rejected.kind === 'reject') {
    return problemResponse(422, 'Event Refused', rejected.detail, { reason: rejected.reason });
  }
  const delays = outcomes.flatMap((o) => (o.kind === 'nak' ? [o.delayMs] : []));
  if (delays.length > 0) {
    return problemResponse(503, 'Service Unavailable', 'the event could not be handled yet', {
      retryAfterSeconds: Math.ceil(Math.max(...delays) / 1_000),
    });
  }
  return new Response(null, { status: 204 });
}

function singleDestination(subscribers: readonly PushSubscriber[]): string | undefined {
  const destinations = new Set(subscribers.flatMap((s) => s.options.destinations));
  return destinations.size === 1 ? [...destinations][0] : undefined;
}

function tooLarge(maxBodyBytes: number): Response {
  return problemResponse(413, 'Content Too Large', `the event is over ${maxBodyBytes} bytes`, {
    reason: 'too-large',
  });
}

/** Reads the body, giving up (undefined) as soon as it passes the limit. */
async function readBounded(
  request: Request,
  maxBodyBytes: number,
): Promise<Uint8Array | undefined> {
  if (!request.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = request.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBodyBytes) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
