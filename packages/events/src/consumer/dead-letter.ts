import { z } from 'zod';
import { POISON_REASONS } from '../cloudevents/poison.js';
import { defineTopic, type Topic } from '../topic.js';

/**
 * Why a message went to the dead letter: a poison reason (it can never be handled), or
 * `'handler-failed'` (its last attempt failed).
 *
 * @example
 * ```ts
 * import type { DeadLetterReason } from '@milkyway/events';
 *
 * const fixable = (reason: DeadLetterReason) => reason === 'handler-failed' || reason === 'max-deliveries';
 * ```
 */
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** The poison reasons, and a handler that failed its last attempt. */
const DEAD_LETTER_REASONS = [...POISON_REASONS, 'handler-failed'] as const;

const DeadLetterSchema = z.object({
  reason: z.enum(DEAD_LETTER_REASONS),
  error: z.string().describe('What went wrong: the poison detail or the last error message.'),
  attempts: z.number().int().nonnegative().describe('Processing attempts made.'),
  destination: z.string().describe('Where the message was consumed from (replay target).'),
  group: z.string().describe('The consumer group that gave up on it.'),
  deadLetteredAt: z.string().describe('RFC 3339 time it was dead-lettered.'),
  attributes: z
    .record(z.string(), z.unknown())
    .describe('The CloudEvents attributes that could be read (complete when replayable).'),
  headers: z.record(z.string(), z.string()).describe('The original message headers, as received.'),
  body: z.string().describe('The original body, base64 (truncated when bodyTruncated).'),
  bodyBytes: z.number().int().nonnegative().describe('Size of the original body.'),
  bodyTruncated: z.boolean(),
});

/**
 * The topic of dead letters (`milkyway.dead-letter.v1`): what a consumer publishes to its
 * dead-letter destination. Its data holds the reason, the error, the attempt count, the
 * original destination, group, attributes, headers and body (base64; bodies over the bus's
 * `maxDeadLetterBodyBytes` are truncated and cannot be replayed). Subscribe to it like any
 * topic to alert on dead letters; `bus.replayDeadLetters` moves them back.
 *
 * @example
 * ```ts
 * import { createEventBus, deadLetterTopic, memoryTransport } from '@milkyway/events';
 *
 * const bus = createEventBus({ source: '/ops', transport: memoryTransport() });
 * await bus.subscribe(
 *   deadLetterTopic,
 *   async (event) => console.warn(`${event.data.group}: ${event.data.reason}: ${event.data.error}`),
 *   { group: 'alerts', destination: 'dead-letter.catalog' },
 * );
 * ```
 */
export const deadLetterTopic: Topic<typeof DeadLetterSchema, 'milkyway.dead-letter.v1'> =
  defineTopic({
    name: 'milkyway.dead-letter',
    version: 1,
    description: 'A message a consumer gave up on, with the reason and the original message.',
    schema: DeadLetterSchema,
  });

/** The data of a dead letter. */
export type DeadLetter = z.output<typeof DeadLetterSchema>;
