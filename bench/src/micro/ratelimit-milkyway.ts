// Milkyway's side of section 4 (memory store), through @milkyway/core's public entry point.
// Filled in against /work/notes/cache-ratelimit-api.md.

export interface MilkywayCheck {
  /** One check for `key` that admits (the limit is huge). */
  check?: (key: string) => unknown;
  description?: string;
  reason?: string;
}

export async function milkywayMemoryCheck(
  _limit: number,
  _windowMs: number,
): Promise<MilkywayCheck> {
  return { reason: 'not measured: the rate limiter in @milkyway/core has not landed its API yet' };
}
