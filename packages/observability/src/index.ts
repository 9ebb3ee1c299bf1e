export type { TracingInterceptorOptions } from './interceptor.js';
export { tracedFetch, tracingInterceptor } from './interceptor.js';
export type { LoggerOptions } from './logger.js';
export { createLogger, DEFAULT_REDACT_PATHS, traceFields } from './logger.js';
export type { MetricsOptions } from './metrics.js';
export { metrics } from './metrics.js';
export { type ObservabilityOptions, observability } from './observability.js';
export type { RequestLoggerOptions } from './request-logger.js';
export { requestLogger } from './request-logger.js';
export { routeTemplate } from './route.js';
export { HTTP_DURATION_BUCKETS } from './semconv.js';
export {
  TraceContextPropagator,
  type TraceContextPropagatorOptions,
} from './trace-context/propagator.js';
export type { TracingOptions } from './tracing.js';
export { tracing } from './tracing.js';
