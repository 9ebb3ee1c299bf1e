export { isHmacAlgorithm, isJwsAlgorithm, type JwsAlgorithm } from './algorithms.js';
export {
  type ApiKeyAuthOptions,
  type ApiKeyEntry,
  type ApiKeyIdentity,
  apiKeyAuth,
  hashApiKey,
} from './api-key-auth.js';
export { AuthConfigError } from './auth-config-error.js';
export { type AuthorizePredicate, authorize } from './authorize.js';
export { isCanonicalBase64url } from './base64url.js';
export { parseBearer } from './bearer.js';
export { ForbiddenError } from './forbidden-error.js';
export { type Jwk, type JwkSet, type JwkVerdict, screenJwk } from './jwk-policy.js';
export { type JwtAuthExtras, type JwtAuthOptions, jwtAuth } from './jwt-auth.js';
export { KeySetUnavailableError } from './key-set-unavailable-error.js';
export type { AuthLogger, PublicKeyInput, RemoteJwksOptions } from './key-store.js';
export { OPENAPI, type OpenApiMeta, type WithOpenApi } from './openapi.js';
export {
  type Principal,
  type PrincipalEnv,
  rolesFromClaims,
  scopesFromClaims,
} from './principal.js';
export {
  AUTH_REDACT_PATHS,
  REDACTED,
  redactAuthorization,
  redactHeaders,
  redactJwts,
  redactToken,
  SENSITIVE_HEADERS,
  tokenFingerprint,
} from './redact.js';
export { requireRoles } from './require-roles.js';
export { requireScopes } from './require-scopes.js';
export { hasRocaFingerprint } from './roca.js';
export {
  type FetchInterceptor,
  type ServiceTokenInterceptor,
  type ServiceTokenOptions,
  serviceTokenInterceptor,
  withServiceToken,
} from './service-token.js';
export type { ClaimsSchema, ClaimsSchemaResult } from './standard-schema.js';
export type { TokenCacheOptions } from './token-cache.js';
export {
  createTokenIssuer,
  type IssuedToken,
  type IssueOptions,
  type TokenIssuer,
  type TokenIssuerOptions,
} from './token-issuer.js';
export {
  type AuthFailureReason,
  UnauthorizedError,
  type UnauthorizedErrorOptions,
} from './unauthorized-error.js';
export {
  createVerifier,
  type VerifiedJws,
  type Verifier,
  type VerifierOptions,
} from './verifier.js';
