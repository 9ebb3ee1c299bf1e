import type { CloudEventAttributes } from './attributes.js';
import type { CloudEventEnvelope } from './envelope.js';
import type { PoisonReason } from './poison.js';

/**
 * What {@link decodeBinary} returns: never an exception. Either the envelope, or a poison
 * message's reason and a human-readable detail (and whatever attributes could be read, for
 * logs and the dead letter).
 *
 * @example
 * ```ts
 * import { decodeBinary, type DecodeResult } from '@milkyway/events';
 *
 * const result: DecodeResult = decodeBinary({ headers: {}, body: new Uint8Array(), binding: 'http' });
 * if (!result.ok) console.warn(result.reason, result.detail); // 'missing-attributes', ...
 * ```
 */
export type DecodeResult =
  | { readonly ok: true; readonly envelope: CloudEventEnvelope }
  | {
      readonly ok: false;
      readonly reason: PoisonReason;
      readonly detail: string;
      readonly attributes: Partial<CloudEventAttributes>;
    };
