/** The `sampled` flag (bit 0 of `trace-flags`). @internal */
export const FLAG_SAMPLED = 0x01;
/**
 * The `random-trace-id` flag (bit 1 of `trace-flags`, Trace Context Level 2): at least the
 * right-most 7 bytes of the trace id are random.
 * @internal
 */
export const FLAG_RANDOM = 0x02;
/** The flags Level 2 defines; every other bit MUST be sent as zero. @internal */
export const KNOWN_FLAGS = FLAG_SAMPLED | FLAG_RANDOM;

/** The fields of a valid `traceparent`. @internal */
export interface ParsedTraceparent {
  traceId: string;
  parentId: string;
  /** The `trace-flags` byte as received (unknown bits included). */
  flags: number;
}

const VERSION_00 = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
// A higher version: its first four fields as version 00 defines them, then the end of the
// value or a dash and fields this implementation does not know.
const FUTURE_VERSION = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-|$)/;
const ALL_ZEROS = /^0+$/;
const OWS_EDGES = /^[ \t]+|[ \t]+$/g;

/**
 * Parses a `traceparent` value per Trace Context Level 2, §"traceparent Header Field Values"
 * and §"Versioning of traceparent". Returns `undefined` (the caller restarts the trace) for:
 * a missing, empty or repeated header; a version that is not two lowercase hex digits followed
 * by a dash; version `ff`; version `00` with anything but exactly its four fields; a higher
 * version shorter than 55 characters or whose fourth field is not followed by the end or a
 * dash; fields of the wrong length or with characters other than lowercase hex (uppercase
 * included); an all-zero trace id or parent id. Surrounding spaces and tabs are optional
 * whitespace and ignored.
 * @internal
 */
export function parseTraceparent(
  raw: string | readonly string[] | undefined,
): ParsedTraceparent | undefined {
  let value: string | undefined;
  if (typeof raw === 'string') value = raw;
  else if (raw !== undefined && raw.length === 1) value = raw[0];
  if (value === undefined) return undefined;
  value = value.replace(OWS_EDGES, '');
  if (value.length < 55) return undefined;
  const version = value.slice(0, 2);
  if (version === 'ff') return undefined;
  const match = version === '00' ? VERSION_00.exec(value) : FUTURE_VERSION.exec(value);
  if (match === null) return undefined;
  const traceId = match[1]!;
  const parentId = match[2]!;
  if (ALL_ZEROS.test(traceId) || ALL_ZEROS.test(parentId)) return undefined;
  return { traceId, parentId, flags: Number.parseInt(match[3]!, 16) };
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/**
 * A version `00` `traceparent` (the highest version this implementation knows, which the spec
 * requires even when a higher one was received), with the bits Level 2 does not define
 * cleared.
 * @internal
 */
export function formatTraceparent(traceId: string, spanId: string, flags: number): string {
  return `00-${traceId}-${spanId}-${HEX[flags & KNOWN_FLAGS]}`;
}
