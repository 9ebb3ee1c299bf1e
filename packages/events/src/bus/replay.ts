import type { CloudEventAttributes } from '../cloudevents/attributes.js';
import type { CloudEventEnvelope } from '../cloudevents/envelope.js';
import { type DeadLetter, deadLetterTopic } from '../consumer/dead-letter.js';
import type { Scheduler } from '../transport/scheduler.js';
import type { Delivery, Transport } from '../transport/transport.js';

/**
 * Options of `bus.replayDeadLetters`.
 *
 * @example
 * ```ts
 * import type { ReplayOptions } from '@milkyway/events';
 *
 * const options: ReplayOptions = {
 *   deadLetter: 'dead-letter.catalog',
 *   filter: (letter) => letter.reason === 'handler-failed',
 *   limit: 1_000,
 * };
 * ```
 */
export interface ReplayOptions {
  /** The dead-letter destination to drain. */
  deadLetter: string;
  /**
   * The consumer group the replayer reads with (default `replay`): each dead letter is offered
   * to it once, so a second replay does not resend what the first one moved.
   */
  group?: string;
  /** Which dead letters to move (default: all); the others are passed over (and stay stored). */
  filter?: (letter: DeadLetter) => boolean;
  /** Stop after this many dead letters (moved or passed over). */
  limit?: number;
  /** Stop when no dead letter arrived for this long (default 1 000 ms), for transports without lag. */
  idleMs?: number;
}

/**
 * What a replay did.
 *
 * @example
 * ```ts
 * import type { ReplayResult } from '@milkyway/events';
 *
 * declare const result: ReplayResult;
 * console.info(`moved ${result.replayed}`, result.skipped);
 * ```
 */
export interface ReplayResult {
  /** Dead letters published back to their original destination. */
  replayed: number;
  /** Dead letters not moved, with why (filtered out, truncated body, not a CloudEvent, ...). */
  skipped: Array<{ id: string | undefined; reason: string }>;
}

const REQUIRED = ['specversion', 'id', 'source', 'type'] as const;

/** Drains a dead-letter destination back to the original destinations. */
export async function replayDeadLetters(
  transport: Transport,
  publish: (destination: string, envelope: CloudEventEnvelope) => Promise<void>,
  scheduler: Scheduler,
  options: ReplayOptions,
): Promise<ReplayResult> {
  const result: ReplayResult = { replayed: 0, skipped: [] };
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const idleMs = options.idleMs ?? 1_000;
  let seen = 0;
  let busy = 0;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let idle: unknown;
  const armIdle = () => {
    if (idle !== undefined) scheduler.clearTimeout(idle);
    idle = scheduler.setTimeout(finish, idleMs);
  };

  const handle = async (delivery: Delivery) => {
    const letter = readLetter(delivery);
    if (typeof letter === 'string') {
      result.skipped.push({ id: undefined, reason: letter });
      return;
    }
    const id = typeof letter.attributes.id === 'string' ? letter.attributes.id : undefined;
    if (options.filter && !options.filter(letter)) {
      result.skipped.push({ id, reason: 'filtered out' });
      return;
    }
    const envelope = originalEnvelope(letter);
    if (typeof envelope === 'string') {
      result.skipped.push({ id, reason: envelope });
      return;
    }
    await publish(letter.destination, envelope);
    result.replayed++;
  };

  const subscription = await transport.subscribe(
    {
      destinations: [options.deadLetter],
      group: options.group ?? 'replay',
      maxInFlight: 1,
      ackDeadlineMs: 30_000,
      maxDeliver: 5,
    },
    (delivery) => {
      if (seen >= limit) return; // left for the next replay
      seen++;
      busy++;
      armIdle();
      handle(delivery)
        .then(
          () => delivery.ack(),
          () => delivery.nak(1_000), // could not publish it back: it stays a dead letter
        )
        .catch(() => undefined)
        .finally(() => {
          busy--;
          if (seen >= limit) finish();
          else void checkEmpty();
        });
    },
  );
  const checkEmpty = async () => {
    const lag = await subscription.lag?.().catch(() => undefined);
    if (lag === 0 && busy === 0) finish();
  };
  armIdle();
  void checkEmpty();
  await done;
  if (idle !== undefined) scheduler.clearTimeout(idle);
  await subscription.stop();
  return result;
}

function readLetter(delivery: Delivery): DeadLetter | string {
  if (!delivery.message.ok) return `not a CloudEvent: ${delivery.message.detail}`;
  if (delivery.message.envelope.attributes.type !== deadLetterTopic.type) {
    return `not a dead letter: type ${delivery.message.envelope.attributes.type}`;
  }
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder().decode(delivery.message.envelope.data));
  } catch {
    return 'dead letter data is not JSON';
  }
  const parsed = deadLetterTopic.parse(json);
  return parsed.ok ? parsed.value : `dead letter data invalid: ${parsed.message}`;
}

function originalEnvelope(letter: DeadLetter): CloudEventEnvelope | string {
  if (letter.bodyTruncated) return 'body truncated: cannot be replayed';
  const attributes = letter.attributes;
  const missing = REQUIRED.filter((name) => typeof attributes[name] !== 'string');
  if (missing.length > 0) return `original is not a CloudEvent (missing ${missing.join(', ')})`;
  return {
    attributes: attributes as unknown as CloudEventAttributes,
    data: new Uint8Array(Buffer.from(letter.body, 'base64')),
  };
}
