import type { TextMapGetter } from '@opentelemetry/api';

/**
 * Reads propagation fields straight from a Fetch `Headers` object (no copy into a record).
 * @internal
 */
export const headersGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => Array.from(headers.keys()),
};
