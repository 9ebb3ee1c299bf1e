// The shared contracts users meet through core (defined once in @milkyway/protocol).
export {
  type Clock,
  DEADLINE_HEADER,
  type Logger,
  OPENAPI_META,
  type OpenApiMeta,
  ProblemError,
  type ProblemErrorOptions,
  REQUEST_ID_HEADER,
  readOpenApiMeta,
  silentLogger,
  systemClock,
  withOpenApi,
} from '@milkyway/protocol';
export * from './cache/index.js';
export type { ConfigIssue, ConfigSource } from './config.js';
export { ConfigError, defineConfig, redactConfig, Secret, secret } from './config.js';
export type { ServiceEnv, ServiceVariables } from './context.js';
export { propagationHeaders, remainingMs } from './context.js';
export type { CheckState, HealthCheck, HealthCheckOptions, ReadinessReport } from './health.js';
export { Health } from './health.js';
export type { HttpErrorOptions } from './http-error.js';
export { HttpError } from './http-error.js';
export type { LoggerOptions, LogLevel } from './logger.js';
export { createLogger } from './logger.js';
export type { OpenApiDocument, OpenApiOptions } from './openapi.js';
export { generateOpenApi } from './openapi.js';
export type { ProblemDetails, ProblemOutcome } from './problem.js';
export { PROBLEM_CONTENT_TYPE, statusTitle, toProblem } from './problem.js';
export * from './rate-limit/index.js';
export type {
  Inferred,
  InOf,
  OutOf,
  Part,
  ResponseOf,
  ResponseSpec,
  RouteHandler,
  RouteInput,
  RouteOutput,
  RouteResponse,
  RouteResult,
  RouteSpec,
  SchemaOf,
  ValidationOptions,
} from './route.js';
export type {
  EnvsOf,
  Kind,
  KindMap,
  MiddlewareRecord,
  OperationRecord,
  Self,
  TypedRouteMethod,
  TypedUse,
} from './router.js';
export { createRouter, MIDDLEWARE, OPERATIONS, Router } from './router.js';
export type { SecureHeadersOptions } from './security-headers.js';
export { API_SECURITY_HEADERS } from './security-headers.js';
export type {
  CorsSettings,
  ListeningInfo,
  ListenOptions,
  ServerTimeouts,
  ServiceOptions,
  ServiceState,
} from './service.js';
export { createService, Service } from './service.js';
export type { RequestTarget, TestRequestOptions, TestResponse } from './testing.js';
export { expectProblem, testRequest } from './testing.js';
export type { ValidationIssue } from './validation-error.js';
export { ValidationError } from './validation-error.js';
