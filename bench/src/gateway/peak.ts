// §8: the peak RSS of a gateway process during a large transfer. The process samples its own
// RSS every 5 ms (cheap: process.memoryUsage.rss()) and answers over IPC:
//   { type: 'peak-reset' } -> the current RSS, and the peak starts again from it
//   { type: 'peak' }       -> the highest RSS sampled since the last reset

/** Starts the sampler and answers the parent's peak questions (call once per server process). */
export function samplePeakRss(): void {
  let peak = process.memoryUsage.rss();
  setInterval(() => {
    const now = process.memoryUsage.rss();
    if (now > peak) peak = now;
  }, 5).unref();
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'peak-reset') {
      (globalThis as { gc?: () => void }).gc?.();
      peak = process.memoryUsage.rss();
      process.send?.({ type: 'peak-reset', value: peak });
    }
    if (m?.type === 'peak') {
      peak = Math.max(peak, process.memoryUsage.rss());
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
