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
export type { ConfigIssue, ConfigSource } from './config/config.js';
export { ConfigError, defineConfig, redactConfig, Secret, secret } from './config/config.js';
export type { HttpErrorOptions } from './errors/http-error.js';
export { HttpError } from './errors/http-error.js';
export type { ProblemDetails, ProblemOutcome } from './errors/problem.js';
export { PROBLEM_CONTENT_TYPE, statusTitle, toProblem } from './errors/problem.js';
export type { ValidationIssue } from './errors/validation-error.js';
export { ValidationError } from './errors/validation-error.js';
export type {
  CheckState,
  HealthCheck,
  HealthCheckOptions,
  ReadinessReport,
} from './health/health.js';
export { Health } from './health/health.js';
export type { CorsSettings } from './http/cors.js';
export type { SecureHeadersOptions } from './http/security-headers.js';
export { API_SECURITY_HEADERS } from './http/security-headers.js';
export type { ServiceEnv, ServiceVariables } from './kernel/context.js';
export { propagationHeaders, remainingMs } from './kernel/context.js';
export type { OpenApiDocument, OpenApiOptions } from './openapi/generate.js';
export { generateOpenApi } from './openapi/generate.js';
export * from './rate-limit/index.js';
export type {
  ResponseOf,
  ResponseSpec,
  RouteHandler,
  RouteInput,
  RouteOutput,
  RouteResponse,
  RouteResult,
  RouteSpec,
  ValidationOptions,
} from './routing/route.js';
export type { TypedRouteMethod, TypedUse } from './routing/route-methods.js';
export { createRouter, Router } from './routing/router.js';
export type {
  ListeningInfo,
  ListenOptions,
  ServerOptions,
  ServiceOptions,
  ServiceState,
} from './service.js';
export { createService, Service } from './service.js';
export type { LoggerOptions, LogLevel } from './support/logger.js';
export { createLogger } from './support/logger.js';
