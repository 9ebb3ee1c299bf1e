/**
 * Turns cache values into strings and back. `deserialize` may throw on input it does not
 * recognise: the cache treats that entry as a miss.
 *
 * @example
 * ```ts
 * import { createCache, type Serializer } from '@milkyway/core';
 *
 * // JSON that brings ISO dates back as Date objects.
 * const isoDate = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
 * const withDates: Serializer = {
 *   serialize: (value) => JSON.stringify(value),
 *   deserialize: (text) => JSON.parse(text, (_key, v) => (typeof v === 'string' && isoDate.test(v) ? new Date(v) : v)),
 * };
 * const cache = createCache({ ttlMs: 60_000, serializer: withDates });
 * ```
 */
export interface Serializer {
  /** Encodes a value; returning `undefined` means "not cacheable" (the value is not stored). */
  serialize(value: unknown): string | undefined;
  /** Decodes what `serialize` produced; throws on foreign or corrupt input. */
  deserialize(text: string): unknown;
}

/**
 * The default serializer: `JSON.stringify` / `JSON.parse`. Values that JSON cannot represent
 * (`undefined`, functions) are not cached; `Date`s come back as strings.
 *
 * @example
 * ```ts
 * import { createCache, jsonSerializer } from '@milkyway/core';
 *
 * const cache = createCache({ ttlMs: 60_000, serializer: jsonSerializer });
 * ```
 */
export const jsonSerializer: Serializer = {
  serialize: (value) => JSON.stringify(value),
  deserialize: (text) => JSON.parse(text),
};
