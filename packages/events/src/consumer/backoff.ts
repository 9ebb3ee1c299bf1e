/**
 * The retry policy of a consumer: how many attempts, and how long to wait between them
 * (capped exponential backoff with full jitter).
 *
 * @example
 * ```ts
 * import type { RetryPolicy } from '@milkyway/events';
 *
 * const retry: RetryPolicy = { maxAttempts: 8, baseDelayMs: 500, maxDelayMs: 60_000 };
 * ```
 */
export interface RetryPolicy {
  /** Attempts in all, the first included (default 5); after the last, the dead letter. */
  maxAttempts?: number;
  /** The first retry waits up to this long (default 1 000 ms). */
  baseDelayMs?: number;
  /** Cap of any single delay (default 60 000 ms). */
  maxDelayMs?: number;
  /** `'full'` (default): uniformly random in [0, min(cap, base·2ⁿ⁻¹)]; `'none'`: exactly that. */
  jitter?: 'full' | 'none';
  /** Random source in [0, 1) (tests). */
  random?: () => number;
}

/** A retry policy with every default applied. */
export type ResolvedRetryPolicy = Required<RetryPolicy>;

/** Applies the defaults of {@link RetryPolicy}. */
export function resolveRetryPolicy(policy: RetryPolicy = {}): ResolvedRetryPolicy {
  const resolved = {
    maxAttempts: policy.maxAttempts ?? 5,
    baseDelayMs: policy.baseDelayMs ?? 1_000,
    maxDelayMs: policy.maxDelayMs ?? 60_000,
    jitter: policy.jitter ?? 'full',
    random: policy.random ?? Math.random,
  };
  if (!Number.isInteger(resolved.maxAttempts) || resolved.maxAttempts < 1) {
    throw new TypeError(`retry.maxAttempts must be a positive integer, got ${policy.maxAttempts}`);
  }
  return resolved;
}

/**
 * The delay before the retry that follows failed attempt `attempt` (1 = the first attempt
 * failed): min(cap, base·2^(attempt-1)), then full jitter. (The same curve as
 * `@milkyway/resilience`'s retry; a consumer hands it to the broker as a `nak` delay instead of
 * sleeping in-process, so it is computed here.)
 */
export function backoffDelay(policy: ResolvedRetryPolicy, attempt: number): number {
  const exponent = Math.min(Math.max(attempt - 1, 0), 30);
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** exponent);
  return policy.jitter === 'none' ? ceiling : Math.floor(policy.random() * ceiling);
}
