import { measure } from 'mitata';
import type { MicroCase, MicroOptions } from './types.js';

/**
 * Measures fn with mitata (batched samples, so that ns-scale calls are measured with more
 * resolution than a timer per call). Smoke mode: a few iterations only.
 */
export async function timeIt(
  name: string,
  fn: () => unknown,
  opts: MicroOptions,
): Promise<MicroCase> {
  if (opts.smoke) {
    for (let i = 0; i < 20; i++) await fn();
    return { name, avgNs: Number.NaN, p50Ns: Number.NaN, samples: 20 };
  }
  const t0 = performance.now();
  const stats = await measure(fn, {
    min_cpu_time: (opts.quick ? 150 : 1500) * 1e6,
    min_samples: 12,
    // Calls slower than 5 µs are timed one by one; faster ones in batches of 4096 (mitata's
    // default threshold of 65 µs would batch a 60 µs signature check 4096 times per sample).
    batch_threshold: 5_000,
    max_samples: 1e9,
    warmup_samples: 10,
    gc: false,
  });
  if (process.env.BENCH_DEBUG) {
    process.stderr.write(
      `  ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s, ${stats.samples.length} samples\n`,
    );
  }
  return { name, avgNs: stats.avg, p50Ns: stats.p50, samples: stats.samples.length };
}

export function skippedCase(name: string, reason: string): MicroCase {
  return { name, avgNs: Number.NaN, p50Ns: Number.NaN, samples: 0, skipped: reason };
}

/** Heap growth (after a forced GC) while `call` runs in a sustained loop for `seconds`. */
export async function heapGrowth(
  call: () => Promise<unknown>,
  seconds: number,
): Promise<{ calls: number; growthBytes: number; peakBytes: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const before = process.memoryUsage().heapUsed;
  let peak = before;
  let calls = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const batch: Promise<unknown>[] = [];
    for (let i = 0; i < 100; i++) batch.push(call());
    await Promise.all(batch);
    calls += 100;
    if (calls % 100_000 === 0) peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  peak = Math.max(peak, process.memoryUsage().heapUsed);
  gc?.();
  return { calls, growthBytes: process.memoryUsage().heapUsed - before, peakBytes: peak - before };
}
