/** Median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median with its range, as measured over the repetitions. */
export interface Spread {
  median: number;
  min: number;
  max: number;
}

export function spread(values: number[]): Spread {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values) };
}

/** 12345.6 -> "12,346". */
export const int = (n: number) =>
  Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a';

/** Ratio with two decimals and an x. */
export const ratio = (a: number, b: number) =>
  Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : 'n/a';

/** Nanoseconds as a human figure (ns below 1 µs, µs below 1 ms). */
export function ns(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  if (n < 1000) return `${n.toFixed(0)} ns`;
  if (n < 1e6) return `${(n / 1000).toFixed(2)} µs`;
  return `${(n / 1e6).toFixed(2)} ms`;
}

export const mib = (bytes: number) =>
  Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : 'n/a';

/** "12,000 (11,800–12,300)" for req/s over repetitions. */
export const rps = (s: Spread) =>
  s.min === s.max ? int(s.median) : `${int(s.median)} (${int(s.min)}–${int(s.max)})`;

/** A markdown table from a header and rows. */
export function table(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * The ratio a/b with its spread over paired runs: run i of `a` against run i of `b` (the runs
 * are interleaved, so a pair saw the same machine state). Undefined when nothing pairs up.
 */
export function pairedRatio(a: number[] | undefined, b: number[] | undefined): Spread | undefined {
  if (!a || !b) return undefined;
  const ratios: number[] = [];
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (b[i]! > 0 && Number.isFinite(a[i]!)) ratios.push(a[i]! / b[i]!);
  }
  return ratios.length ? spread(ratios) : undefined;
}

/** "1.23x (1.10–1.31x)": a paired ratio's median and its min–max. */
export const ratioSpread = (s: Spread | undefined) =>
  !s
    ? 'n/a'
    : s.min === s.max
      ? `${s.median.toFixed(2)}x`
      : `${s.median.toFixed(2)}x (${s.min.toFixed(2)}–${s.max.toFixed(2)}x)`;
