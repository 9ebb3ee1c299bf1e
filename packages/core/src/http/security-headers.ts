import { Hono, type MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

/**
 * hono/secure-headers options.
 *
 * @example
 * ```ts
 * import { createService, type SecureHeadersOptions } from '@milkyway/core';
 *
 * const options: SecureHeadersOptions = { xFrameOptions: 'SAMEORIGIN' };
 * createService({ name: 'web', version: '1.0.0', secureHeaders: options });
 * ```
 */
export type SecureHeadersOptions = NonNullable<Parameters<typeof secureHeaders>[0]>;

/**
 * Security headers from hono/secure-headers. On Node, the (static) headers it produces are read
 * once from a probe request and then written straight onto the Node response (`setHeader`),
 * which is much cheaper per request than editing a `Headers` object after the handler; a
 * response may still override any of them. Options with per-request values (CSP nonces) and
 * other runtimes use the middleware itself.
 * @internal
 */
export interface SecurityHeaders {
  /** The hono/secure-headers middleware. */
  middleware: MiddlewareHandler;
  /** The static header list, once probed (undefined before, or when the options are dynamic). */
  list: Array<[string, string]> | undefined;
  /** Resolves once probing is done. */
  ready: Promise<void>;
}

function isDynamic(options: SecureHeadersOptions): boolean {
  for (const policy of [options.contentSecurityPolicy, options.contentSecurityPolicyReportOnly]) {
    if (!policy) continue;
    for (const value of Object.values(policy)) {
      const values: unknown[] = Array.isArray(value) ? value : [value];
      if (values.some((v) => typeof v === 'function')) return true;
    }
  }
  return false;
}

/**
 * Core's defaults for an API (OWASP REST Security Cheat Sheet): `nosniff`, HSTS, no framing,
 * no referrer, same-origin resource policy, and a CSP that loads nothing. Headers that only
 * matter to legacy browsers rendering HTML (X-XSS-Protection, X-Download-Options,
 * X-DNS-Prefetch-Control, X-Permitted-Cross-Domain-Policies, Origin-Agent-Cluster,
 * Cross-Origin-Opener-Policy) are off; pass hono/secure-headers options to change any of it.
 *
 * @example
 * ```ts
 * import { API_SECURITY_HEADERS, createService } from '@milkyway/core';
 *
 * createService({
 *   name: 'docs',
 *   version: '1.0.0',
 *   secureHeaders: { ...API_SECURITY_HEADERS, contentSecurityPolicy: { defaultSrc: ["'self'"] } },
 * });
 * ```
 */
export const API_SECURITY_HEADERS: SecureHeadersOptions = {
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  crossOriginResourcePolicy: 'same-origin',
  crossOriginOpenerPolicy: false,
  originAgentCluster: false,
  referrerPolicy: 'no-referrer',
  strictTransportSecurity: 'max-age=15552000; includeSubDomains',
  xContentTypeOptions: 'nosniff',
  xDnsPrefetchControl: false,
  xDownloadOptions: false,
  xFrameOptions: 'DENY',
  xPermittedCrossDomainPolicies: false,
  xXssProtection: false,
  overwrite: false,
};

/** @internal */
export function createSecurityHeaders(custom: SecureHeadersOptions | undefined): SecurityHeaders {
  // A response's own header wins over a default, on Node and in-process alike.
  const options: SecureHeadersOptions = custom
    ? { overwrite: false, ...custom }
    : API_SECURITY_HEADERS;
  const middleware = secureHeaders(options);
  const state: SecurityHeaders = { middleware, list: undefined, ready: Promise.resolve() };
  if (!isDynamic(options)) {
    const probe = new Hono();
    probe.use(middleware);
    probe.get('/', (c) => c.body(null, 204));
    state.ready = Promise.resolve(probe.request('/')).then((res) => {
      state.list = [...res.headers];
    });
  }
  return state;
}
