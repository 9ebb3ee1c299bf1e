/**
 * Turns cache values into strings and back. `deserialize` may throw on input it does not
 * recognise: the cache treats that entry as a miss.
 *
 * @example
 * ```ts
 * import superjson from 'superjson';
 * const serializer: Serializer = { serialize: superjson.stringify, deserialize: superjson.parse };
 * const cache = createCache({ ttlMs: 60_000, serializer });
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
 * const cache = createCache({ ttlMs: 60_000, serializer: jsonSerializer });
 * ```
 */
export const jsonSerializer: Serializer = {
  serialize: (value) => JSON.stringify(value),
  deserialize: (text) => JSON.parse(text),
};
