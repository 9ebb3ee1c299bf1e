// Milkyway's side of section 3, through @milkyway/resilience's public entry point only.
import { circuitBreaker, policy } from '@milkyway/resilience';

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

export async function milkywayPolicies(work: () => Promise<number>): Promise<MilkywayPolicies> {
  // The same four as cockatiel's wrap: retry (3 attempts), breaker (defaults), bulkhead, and a
  // per-attempt timeout of 1 s.
  const composed = policy({
    retry: { maxAttempts: 3 },
    breaker: {},
    bulkhead: { maxConcurrent: 1000 },
    attemptTimeoutMs: 1000,
  });
  const open = circuitBreaker({ minimumCalls: 1 });
  open.isolate();
  return {
    composed: () => composed.execute(work),
    openBreaker: () => open.execute(work),
    description:
      'policy({ retry: { maxAttempts: 3 }, breaker: {}, bulkhead: { maxConcurrent: 1000 }, attemptTimeoutMs: 1000 }).execute(fn); open breaker: circuitBreaker({ minimumCalls: 1 }) after isolate()',
  };
}
