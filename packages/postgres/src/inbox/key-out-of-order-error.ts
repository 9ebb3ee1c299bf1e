/**
 * An event arrived before its key's predecessor was applied (see `keyOrder`); the consumer
 * retries it after a backoff.
 *
 * @example
 * ```ts
 * import { KeyOutOfOrderError } from '@milkyway/postgres';
 *
 * const error = new KeyOutOfOrderError('o-1', '3', '4');
 * error.message; // 'key o-1: waiting for sequence 3, received 4'
 * ```
 */
export class KeyOutOfOrderError extends Error {
  /**
   * @param key - the ordering key.
   * @param expected - the sequence the key waits for.
   * @param received - the sequence that arrived.
   */
  constructor(
    readonly key: string,
    readonly expected: string,
    readonly received: string,
  ) {
    super(`key ${key}: waiting for sequence ${expected}, received ${received}`);
    this.name = 'KeyOutOfOrderError';
  }
}
