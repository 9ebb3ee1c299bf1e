import type { TextMapGetter } from '@opentelemetry/api';

/**
 * Reads propagation fields straight from a Fetch `Headers` object (no copy into a record).
 * @internal
 */
export const headersGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => Array.from(headers.keys()),
};

/**
 * A low-cardinality `error.type` for a thrown value: the error's class or name
 * (`TypeError`, `TimeoutError`, `HttpError`), `_OTHER` when it has none.
 * @internal
 */
export function errorType(error: unknown): string {
  if (error instanceof Error) {
    if (error.name && error.name !== 'Error') return error.name;
    const ctor = error.constructor?.name;
    return ctor && ctor !== 'Object' ? ctor : 'Error';
  }
  return '_OTHER';
}
