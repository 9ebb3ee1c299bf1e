import type { TraceState } from '@opentelemetry/api';

/** At most 32 list members (Trace Context Level 2, `tracestate` list). */
const MAX_MEMBERS = 32;

// key = ( lcalpha / DIGIT ) 0*255 ( keychar ); keychar = lcalpha / DIGIT / "_" / "-" / "*" / "/" / "@"
const KEY = /^[a-z0-9][a-z0-9_\-*/@]{0,255}$/;
// value = 0*255(chr) nblk-chr; nblk-chr = %x21-2B / %x2D-3C / %x3E-7E; chr = %x20 / nblk-chr
const VALUE = /^[\x20-\x2b\x2d-\x3c\x3e-\x7e]{0,255}[\x21-\x2b\x2d-\x3c\x3e-\x7e]$/;
// OWS (RFC 9110 §5.6.3): spaces and horizontal tabs.
const OWS_EDGES = /^[ \t]+|[ \t]+$/g;

/**
 * A `tracestate` as Trace Context Level 2 defines it: an ordered list of at most 32 unique
 * `key=value` members, immutable (every change returns a new instance). Implements
 * OpenTelemetry's `TraceState`, so samplers and span contexts carry it as is. Unlike the
 * API's `createTraceState()`, it follows the Level 2 key grammar (a key may start with a digit
 * and contain `@` anywhere) and {@link parseTraceState} refuses an invalid header as a whole
 * instead of keeping part of it.
 * @internal
 */
export class W3CTraceState implements TraceState {
  /** Members in wire order, left-most first. */
  readonly #members: ReadonlyArray<readonly [string, string]>;

  constructor(members: ReadonlyArray<readonly [string, string]> = []) {
    this.#members = members;
  }

  /**
   * A copy with `key` set to `value` and moved to the left (the spec's "update" and "add"
   * mutations). An invalid key or value leaves the state unchanged. When a new key would make
   * 33 members, the right-most member is dropped.
   */
  set(key: string, value: string): W3CTraceState {
    if (!KEY.test(key) || !VALUE.test(value)) return this;
    const rest = this.#members.filter(([k]) => k !== key);
    if (rest.length >= MAX_MEMBERS) rest.length = MAX_MEMBERS - 1;
    return new W3CTraceState([[key, value], ...rest]);
  }

  /** A copy without `key`. */
  unset(key: string): W3CTraceState {
    const rest = this.#members.filter(([k]) => k !== key);
    return rest.length === this.#members.length ? this : new W3CTraceState(rest);
  }

  /** The value of `key`, if present. */
  get(key: string): string | undefined {
    for (const [k, v] of this.#members) if (k === key) return v;
    return undefined;
  }

  /** The header value: `key=value` members joined by commas; `''` when empty. */
  serialize(): string {
    let out = '';
    for (const [k, v] of this.#members) out += out === '' ? `${k}=${v}` : `,${k}=${v}`;
    return out;
  }

  /** Number of members. */
  get size(): number {
    return this.#members.length;
  }
}

/**
 * Parses one or more `tracestate` field values (several header fields are combined with
 * commas, RFC 9110 §5.3). Returns `undefined` when the header is absent, holds no member, or
 * is invalid anywhere — a key or value outside the grammar, a member without `=`, more than 32
 * members, a duplicated key — since the spec asks to discard the whole header then, never to
 * keep a part of it. Empty and whitespace-only members are allowed and skipped; they do not
 * count towards the 32 (they appear when an empty header field is combined with another).
 * @internal
 */
export function parseTraceState(
  raw: string | readonly string[] | undefined,
): W3CTraceState | undefined {
  if (raw === undefined) return undefined;
  const combined = typeof raw === 'string' ? raw : raw.join(',');
  const members: Array<readonly [string, string]> = [];
  const seen = new Set<string>();
  for (const part of combined.split(',')) {
    const member = part.replace(OWS_EDGES, '');
    if (member === '') continue;
    const equals = member.indexOf('=');
    if (equals <= 0) return undefined;
    const key = member.slice(0, equals);
    const value = member.slice(equals + 1);
    if (!KEY.test(key) || !VALUE.test(value) || seen.has(key)) return undefined;
    seen.add(key);
    members.push([key, value]);
    if (members.length > MAX_MEMBERS) return undefined;
  }
  return members.length === 0 ? undefined : new W3CTraceState(members);
}
