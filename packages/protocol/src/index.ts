export { type Clock, systemClock } from './clock.js';
export type { PrincipalVariables, RequestVariables } from './context.js';
export { DeadlineExceededError } from './deadline-exceeded-error.js';
export type { FetchAttemptInfo, FetchInterceptor } from './fetch-interceptor.js';
export {
  DEADLINE_HEADER,
  IDEMPOTENCY_KEY_HEADER,
  REQUEST_ID_HEADER,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
} from './headers.js';
export { LOG_FIELDS, type Logger, silentLogger } from './logger.js';
export {
  OPENAPI_META,
  type OpenApiMeta,
  readOpenApiMeta,
  type WithOpenApi,
  withOpenApi,
} from './openapi-meta.js';
export {
  isProblemLike,
  ProblemError,
  type ProblemErrorOptions,
  type ProblemLike,
} from './problem-error.js';
export { PROBLEM_TYPE_BASE, problemType } from './problem-type.js';
export {
  isSensitiveHeader,
  REDACTED,
  redactHeaders,
  SENSITIVE_FIELDS,
  SENSITIVE_HEADERS,
} from './redaction.js';
export { isRejection, REJECTION } from './rejection.js';
export { instrumentationScope } from './telemetry.js';
