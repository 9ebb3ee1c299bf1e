/** Float slack so that `limit` requests at one instant all pass despite rounding. */
const EPSILON = 1e-6;

/**
 * GCRA (generic cell rate algorithm) for one key, written once and ported verbatim to the
 * Redis Lua script. `tat` is the key's theoretical arrival time (undefined for a new key).
 * Returns the new TAT when admitted, or -1 when rejected; fills `out` with the decision numbers
 * (a caller-owned object, so that no allocation happens here).
 *
 * @internal
 */
export function gcra(
  tat: number | undefined,
  now: number,
  intervalMs: number,
  capacityMs: number,
  cost: number,
  out: { allowed: boolean; remaining: number; resetMs: number; retryAfterMs: number },
): number {
  const base = tat === undefined || tat < now ? now : tat;
  const next = base + intervalMs * cost;
  const ahead = next - now;
  if (ahead > capacityMs + EPSILON) {
    out.allowed = false;
    out.remaining = 0;
    out.resetMs = base - now;
    out.retryAfterMs = ahead - capacityMs;
    return -1;
  }
  out.allowed = true;
  out.remaining = Math.floor((capacityMs - ahead) / intervalMs + EPSILON);
  out.resetMs = ahead;
  out.retryAfterMs = 0;
  return next;
}
