// Milkyway's side of section 4 (memory store), through @milkyway/core's public entry point.
import { memoryRateLimitStore } from '@milkyway/core';

export interface MilkywayCheck {
  /** One check for `key` that admits (the limit is huge). */
  check?: (key: string) => unknown;
  /** The same check awaited as a promise (like rate-limiter-flexible's consume). */
  checkAsync?: (key: string) => Promise<unknown>;
  description?: string;
  reason?: string;
}

export async function milkywayMemoryCheck(limit: number, windowMs: number): Promise<MilkywayCheck> {
  const store = memoryRateLimitStore();
  const policy = { limit, windowMs, burst: limit };
  const check = (key: string) => store.check(key, policy, 1, Date.now());
  return {
    check,
    checkAsync: async (key: string) => check(key),
    description:
      'Milkyway: memoryRateLimitStore().check(key, { limit, windowMs, burst: limit }, 1, Date.now()) — the check rateLimit() makes per request (GCRA, synchronous).',
  };
}
