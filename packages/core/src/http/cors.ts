import { DEADLINE_HEADER, REQUEST_ID_HEADER } from '@milkyway/protocol';
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';

/**
 * CORS settings (hono/cors options, with an explicit origin: CORS stays closed without them).
 *
 * @example
 * ```ts
 * import { type CorsSettings, createService } from '@milkyway/core';
 *
 * const cors: CorsSettings = { origin: ['https://app.example'], credentials: true };
 * createService({ name: 'api', version: '1.0.0', cors });
 * ```
 */
export interface CorsSettings {
  /** Allowed origin(s), or a function choosing the origin to allow. `*` is refused with `credentials`. */
  origin: string | string[] | ((origin: string) => string | undefined | null);
  /** Allowed methods. Default: GET, HEAD, PUT, POST, DELETE, PATCH. */
  allowMethods?: string[];
  /** Allowed request headers. Default: content-type, authorization, x-request-id, x-deadline-ms (never echoed). */
  allowHeaders?: string[];
  /** Response headers exposed to the browser. Default: x-request-id. */
  exposeHeaders?: string[];
  /** Whether cookies/credentials are allowed. */
  credentials?: boolean;
  /** How long browsers may cache a preflight answer (ms; sent in whole seconds). Default 600 000. */
  maxAgeMs?: number;
}

const DEFAULT_ALLOW_HEADERS = ['content-type', 'authorization', REQUEST_ID_HEADER, DEADLINE_HEADER];

/**
 * The service's CORS middleware (hono/cors with core's defaults); refuses `*` with credentials.
 * @internal
 */
export function corsMiddleware(settings: CorsSettings): MiddlewareHandler {
  const origins = Array.isArray(settings.origin) ? settings.origin : [settings.origin];
  if (settings.credentials && origins.includes('*')) {
    throw new TypeError(
      'CORS: `origin: "*"` cannot be combined with `credentials: true`; list the origins',
    );
  }
  return cors({
    origin: settings.origin as string | string[],
    allowMethods: settings.allowMethods ?? ['GET', 'HEAD', 'PUT', 'POST', 'DELETE', 'PATCH'],
    allowHeaders: settings.allowHeaders?.length ? settings.allowHeaders : DEFAULT_ALLOW_HEADERS,
    exposeHeaders: settings.exposeHeaders ?? [REQUEST_ID_HEADER],
    credentials: settings.credentials ?? false,
    maxAge: Math.floor((settings.maxAgeMs ?? 600_000) / 1000),
  });
}
