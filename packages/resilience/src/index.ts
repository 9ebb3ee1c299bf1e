// @milkyway/resilience: the primitives only. They wrap any async function and import neither
// hono nor @milkyway/core. The HTTP client and proxy: '@milkyway/resilience/http'; the Hono
// middleware: '@milkyway/resilience/hono'.
export { DeadlineExceededError } from '@milkyway/protocol';
export { abortable } from './abort/abortable.js';
export {
  type CircuitBreaker,
  type CircuitBreakerEvents,
  type CircuitBreakerOptions,
  circuitBreaker,
} from './breaker/breaker.js';
export { BrokenCircuitError } from './breaker/broken-circuit-error.js';
export type {
  BreakerEngine,
  BreakerState,
  EngineCall,
  EngineFactory,
  EngineSettings,
  Verdict,
} from './breaker/engine.js';
export { createOpossumEngine } from './breaker/opossum-engine.js';
export {
  type Bulkhead,
  type BulkheadEvents,
  type BulkheadOptions,
  bulkhead,
} from './bulkhead/bulkhead.js';
export { BulkheadRejectedError } from './bulkhead/bulkhead-rejected-error.js';
export {
  type Fallback,
  type FallbackEvents,
  type FallbackOptions,
  fallback,
} from './fallback/fallback.js';
export { type PolicyOptions, policy, type ResiliencePolicy } from './policy/policy.js';
export type { CallContext, ExecuteOptions, Operation, Policy } from './policy/types.js';
export { type Composable, wrap } from './policy/wrap.js';
export {
  type GiveUpReason,
  isRetryable,
  type Retry,
  type RetryEvents,
  type RetryOptions,
  retry,
} from './retry/retry.js';
export { parseRetryAfter } from './retry/retry-after.js';
export { type RetryBudget, type RetryBudgetOptions, retryBudget } from './retry/retry-budget.js';
export { METER_NAME } from './telemetry/metrics.js';
export {
  type Timeout,
  type TimeoutEvents,
  type TimeoutOptions,
  timeout,
} from './timeout/timeout.js';
