// The bytes of a large transfer (§8): a 64 KiB pattern repeated, so both ends can produce and
// check 100 MB without holding it.

/** 64 KiB of deterministic, non-repeating-within-the-block bytes. */
export const PATTERN: Buffer = (() => {
  const b = Buffer.alloc(64 * 1024);
  let x = 0x12345678;
  for (let i = 0; i < b.length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  return b;
})();

/** The next chunk of a transfer of `total` bytes after `sent` bytes (at most 64 KiB, aligned). */
export function patternChunk(sent: number, total: number): Buffer {
  const n = Math.min(PATTERN.length, total - sent);
  return n === PATTERN.length ? PATTERN : PATTERN.subarray(0, n);
}
