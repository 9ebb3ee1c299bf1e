// §8: the peak RSS of a gateway process during a large transfer. The process samples its own
// RSS every 5 ms (cheap: process.memoryUsage.rss()) and answers over IPC:
//   { type: 'peak-reset' } -> the current RSS, and the peak starts again from it
//   { type: 'peak' }       -> the highest RSS sampled since the last reset
// Diagnostic: with BENCH_PEAK_DETAIL=<file>, each 'peak' answer also appends to that file where
// the growth sat at the peak sample (heap, external, ArrayBuffers) and how many GCs ran since the
// reset (the reset's own forced GC may be counted as one major).
import { appendFileSync } from 'node:fs';
import { PerformanceObserver, constants as perf } from 'node:perf_hooks';

/** Starts the sampler and answers the parent's peak questions (call once per server process). */
export function samplePeakRss(): void {
  let peak = process.memoryUsage.rss();
  const detail = process.env.BENCH_PEAK_DETAIL; // a file to append the breakdown to
  let base = detail !== undefined ? process.memoryUsage() : undefined;
  let atPeak = base;
  const gcs = { minor: 0, major: 0, other: 0 };
  if (detail !== undefined) {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as { detail?: { kind?: number } }).detail?.kind;
        if (kind === perf.NODE_PERFORMANCE_GC_MINOR) gcs.minor++;
        else if (kind === perf.NODE_PERFORMANCE_GC_MAJOR) gcs.major++;
        else gcs.other++;
      }
    }).observe({ entryTypes: ['gc'] });
  }
  setInterval(() => {
    const now = process.memoryUsage.rss();
    if (now > peak) {
      peak = now;
      if (detail !== undefined) atPeak = process.memoryUsage();
    }
  }, 5).unref();
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'peak-reset') {
      (globalThis as { gc?: () => void }).gc?.();
      peak = process.memoryUsage.rss();
      if (detail !== undefined) {
        atPeak = base = process.memoryUsage();
        gcs.minor = gcs.major = gcs.other = 0;
      }
      process.send?.({ type: 'peak-reset', value: peak });
    }
    if (m?.type === 'peak') {
      peak = Math.max(peak, process.memoryUsage.rss());
      if (detail !== undefined && base !== undefined && atPeak !== undefined) {
        // Diagnostic (BENCH_PEAK_DETAIL=<file>): where the growth at the peak sample sat, in MiB.
        const mib = (k: keyof NodeJS.MemoryUsage) =>
          ((atPeak as NodeJS.MemoryUsage)[k] - (base as NodeJS.MemoryUsage)[k]) / 2 ** 20;
        appendFileSync(
          detail,
          `peak detail: rss +${mib('rss').toFixed(1)} heapTotal +${mib('heapTotal').toFixed(1)} heapUsed +${mib('heapUsed').toFixed(1)} external +${mib('external').toFixed(1)} arrayBuffers +${mib('arrayBuffers').toFixed(1)} MiB; gcs ${JSON.stringify(gcs)}\n`,
        );
      }
      process.send?.({ type: 'peak', value: peak });
    }
  });
}

/** The upstream URL a gateway forwards to (set by the section, which starts the upstream). */
export function upstreamUrl(): string {
  const url = process.env.BENCH_UPSTREAM_URL;
  if (!url) throw new Error('BENCH_UPSTREAM_URL is not set (the §8 section starts the upstream)');
  return url;
}

/** Largest body a transfer gateway accepts each way (the 100 MB transfers fit). */
export const TRANSFER_LIMIT = 256 * 1024 * 1024;
