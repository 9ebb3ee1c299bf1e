// Milkyway's side of section 3, through @milkyway/resilience's public entry point only.
// Filled in against /work/notes/resilience-api.md.

export interface MilkywayPolicies {
  /** breaker + bulkhead + retry (succeeds first try) + per-attempt timeout around `work`. */
  composed?: () => Promise<unknown>;
  /** A call through a breaker that is open (rejects). */
  openBreaker?: () => Promise<unknown>;
  description?: string;
  dispose?: () => Promise<void> | void;
  /** Why the policies are not available. */
  reason?: string;
}

export async function milkywayPolicies(_work: () => Promise<number>): Promise<MilkywayPolicies> {
  return { reason: 'not measured: @milkyway/resilience has not landed its API yet' };
}
