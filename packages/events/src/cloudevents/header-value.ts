// Header values of the CloudEvents HTTP and NATS bindings (§3.1.3.2 of both): printable ASCII
// only, so space, double quote, percent and anything outside U+0021–U+007E is percent-encoded
// as UTF-8 bytes; decoding unquotes a double-quoted value first and rejects invalid UTF-8.

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder('utf-8', { fatal: true });

function needsEncoding(code: number): boolean {
  return code <= 0x20 || code >= 0x7f || code === 0x22 || code === 0x25;
}

/** Percent-encodes a canonical attribute string for a header value. */
export function encodeHeaderValue(value: string): string {
  let plain = true;
  for (let i = 0; i < value.length; i++) {
    if (needsEncoding(value.charCodeAt(i))) {
      plain = false;
      break;
    }
  }
  if (plain) return value;
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (!needsEncoding(code)) {
      out += char;
      continue;
    }
    for (const byte of encoder.encode(char)) {
      out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    }
  }
  return out;
}

/** Decodes a header value; `undefined` when it is not valid (bad escape, invalid UTF-8). */
export function decodeHeaderValue(raw: string): string | undefined {
  let value = raw.trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    value = value.slice(1, -1).replace(/\\(.)/g, '$1');
  }
  if (!value.includes('%')) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code === 0x25) {
      const hex = value.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else if (code > 0x7f) {
      bytes.push(...encoder.encode(value[i]!));
    } else {
      bytes.push(code);
    }
  }
  try {
    return strictDecoder.decode(new Uint8Array(bytes));
  } catch {
    return undefined;
  }
}
