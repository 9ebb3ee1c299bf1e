export type { JwsAlgorithm } from './algorithms.js';
export {
  type ApiKeyAuthOptions,
  type ApiKeyEntry,
  type ApiKeyIdentity,
  apiKeyAuth,
  hashApiKey,
} from './api-key-auth.js';
export { AuthConfigError } from './auth-config-error.js';
export { type AuthorizePredicate, authorize } from './authorize.js';
export { parseBearer } from './bearer.js';
export { ForbiddenError } from './forbidden-error.js';
export type { Jwk, JwkSet } from './jwk-policy.js';
export { type JwtAuthExtras, type JwtAuthOptions, jwtAuth } from './jwt-auth.js';
export { KeySetUnavailableError } from './key-set-unavailable-error.js';
export type { PublicKeyInput, RemoteJwksOptions } from './key-store.js';
export {
  type Principal,
  type PrincipalEnv,
  rolesFromClaims,
  scopesFromClaims,
} from './principal.js';
export { redactAuthorization, redactJwts, redactToken, tokenFingerprint } from './redact.js';
export { requireRoles } from './require-roles.js';
export { requireScopes } from './require-scopes.js';
export {
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
