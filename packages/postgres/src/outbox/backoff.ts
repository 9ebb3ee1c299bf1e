/**
 * Capped exponential backoff with full jitter: the wait after the `failures`-th failure in a
 * row. (A loop that runs for the life of the service, so not a p-retry call.)
 */
export function backoffDelay(failures: number, minMs: number, maxMs: number): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.max(0, failures - 1));
  return minMs / 2 + Math.random() * (ceiling - minMs / 2);
}
