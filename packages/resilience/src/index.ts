export { isRejection } from './brand.js';
export {
  CircuitBreaker,
  type CircuitBreakerEvents,
  type CircuitBreakerOptions,
  circuitBreaker,
} from './breaker.js';
export type {
  BreakerEngine,
  BreakerState,
  EngineCall,
  EngineFactory,
  EngineSettings,
  Verdict,
} from './breaker-engine.js';
export { BrokenCircuitError } from './broken-circuit-error.js';
export { Bulkhead, type BulkheadEvents, type BulkheadOptions, bulkhead } from './bulkhead.js';
export { BulkheadRejectedError } from './bulkhead-rejected-error.js';
export {
  type FallbackEvents,
  type FallbackOptions,
  FallbackPolicy,
  fallback,
} from './fallback.js';
export {
  type BoundContext,
  type FetchFunction,
  type FetchInterceptor,
  HttpClient,
  type HttpClientOptions,
  type HttpRequestOptions,
  httpClient,
  type JsonRequestOptions,
} from './http-client.js';
export {
  bulkheadMiddleware,
  type LoadShedOptions,
  loadShed,
  type RequestContextEnv,
  type RequestContextVariables,
  requestTimeout,
} from './middleware.js';
export { createOpossumEngine } from './opossum-engine.js';
export {
  type Composable,
  ComposedPolicy,
  type PolicyOptions,
  policy,
  ResiliencePolicy,
  wrap,
} from './policy.js';
export { type ProxyOptions, proxy, stripHopByHop } from './proxy.js';
export { RequestTooLargeError } from './request-too-large-error.js';
export { ResponseTooLargeError } from './response-too-large-error.js';
export { ResponseValidationError } from './response-validation-error.js';
export {
  type GiveUpReason,
  isRetryable,
  type RetryEvents,
  type RetryOptions,
  RetryPolicy,
  retry,
} from './retry.js';
export { parseRetryAfter } from './retry-after.js';
export { RetryBudget, type RetryBudgetOptions, retryBudget } from './retry-budget.js';
export type { ResponseSchema } from './schema.js';
export { METER_NAME } from './telemetry.js';
export { type TimeoutEvents, type TimeoutOptions, TimeoutPolicy, timeout } from './timeout.js';
export { TimeoutError } from './timeout-error.js';
export type { CallContext, ExecuteOptions, Operation, Policy } from './types.js';
export { UpstreamConnectionError } from './upstream-connection-error.js';
export { UpstreamResponseError } from './upstream-response-error.js';
