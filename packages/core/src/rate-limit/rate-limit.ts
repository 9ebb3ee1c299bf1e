import { type Clock, type Logger, silentLogger, systemClock } from '@milkyway/protocol';
import type { Attributes } from '@opentelemetry/api';
import type { Context, MiddlewareHandler } from 'hono';
import { coreMeter } from '../support/metrics.js';
import { addressKey, clientAddress, socketAddress, type TrustProxy } from './client-address.js';
import { memoryRateLimitStore } from './memory-store.js';
import { RateLimitUnavailableError } from './rate-limit-unavailable-error.js';
import { RateLimitedError } from './rate-limited-error.js';
import type { RateLimitDecision, RateLimitPolicy, RateLimitStore } from './store.js';

function isPromiseLike<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return typeof (value as Partial<PromiseLike<T>>).then === 'function';
}

/**
 * What a limiter counts by: `'ip'` (the client address, see `trustProxy`), `'principal'`
 * (`c.var.principal.subject` set by auth; anonymous requests fall back to the address), or a
 * function returning the key (`undefined` skips limiting for that request).
 *
 * @example
 * ```ts
 * import type { RateLimitKey } from '@milkyway/core';
 *
 * const byTenant: RateLimitKey = (c) => c.req.header('x-tenant-id');
 * ```
 */
export type RateLimitKey = 'ip' | 'principal' | ((c: Context) => string | undefined);

/**
 * Options of {@link rateLimit}.
 *
 * @example
 * ```ts
 * import type { RateLimitOptions } from '@milkyway/core';
 *
 * const options: RateLimitOptions = { name: 'api', limit: 100, windowMs: 60_000, key: 'principal' };
 * ```
 */
export interface RateLimitOptions {
  /** Requests admitted per window, per key. */
  limit: number;
  /** The window in milliseconds. */
  windowMs: number;
  /**
   * How many requests may arrive at once after a quiet period (1..limit, default `limit`).
   * Lower it to smooth traffic: `burst: 1` spaces requests `windowMs / limit` apart.
   */
  burst?: number;
  /** The policy name in the `RateLimit` headers and the store key prefix. Default `'default'`. */
  name?: string;
  /** What to count by. Default `'ip'`. */
  key?: RateLimitKey;
  /** Units a request costs (default 1, at most `burst`), e.g. by route weight. */
  cost?: number | ((c: Context) => number);
  /** Where counts live. Default: a fresh {@link memoryRateLimitStore} (per process). */
  store?: RateLimitStore;
  /**
   * When the store is unreachable: `true` (default) admits requests without limiting,
   * `false` rejects them with 503 {@link RateLimitUnavailableError}. Either way the outage and
   * the recovery are logged once each.
   */
  failOpen?: boolean;
  /** Which proxies may set `X-Forwarded-For` (default `false`: the socket peer is the client). */
  trustProxy?: TrustProxy;
  /**
   * IPv6 clients are counted per subnet of this many bits (default 64: one client usually holds
   * a whole /64); `false` counts single addresses. IPv4-mapped IPv6 counts as the IPv4 address.
   */
  ipv6Subnet?: number | false;
  /** The socket peer's address (default: `@hono/node-server`'s `getConnInfo`). */
  remoteAddress?: (c: Context) => string | undefined;
  /**
   * Send `RateLimit` and `RateLimit-Policy` (on admitted and refused responses; default true).
   * Their window is in whole seconds, so a `windowMs` that is not a whole number of seconds
   * needs `headers: false`.
   */
  headers?: boolean;
  /** The time source (default `Date.now`). */
  clock?: Clock;
  /** Where store outages are logged. */
  logger?: Pick<Logger, 'debug' | 'info' | 'warn'>;
}

/** The RateLimit and RateLimit-Policy lists of the limiters a request passed so far. */
const requestFields = new WeakMap<Context, { policy: string; limit: string }>();

/**
 * Adds a limiter's members to the request's RateLimit and RateLimit-Policy lists (RFC 9651
 * structured-field lists, draft-ietf-httpapi-ratelimit-headers): with stacked limiters every
 * response names every policy that applied, in the order they ran.
 */
function addToFields(c: Context, policy: string, limit: string): { policy: string; limit: string } {
  const fields = requestFields.get(c);
  if (fields === undefined) {
    const first = { policy, limit };
    requestFields.set(c, first);
    return first;
  }
  fields.policy += `, ${policy}`;
  fields.limit += `, ${limit}`;
  return fields;
}

/**
 * Rate-limiting middleware (GCRA: exact, one number per key, no bursts at window edges).
 * Admitted responses carry `RateLimit-Policy: "name";q=100;w=60` and
 * `RateLimit: "name";r=42;t=12` (draft-ietf-httpapi-ratelimit-headers); a rejected request
 * throws {@link RateLimitedError} (429 problem+json with `Retry-After`). Rejections are counted
 * by `milkyway.rate_limit.rejections` (attribute `milkyway.rate_limit.name`).
 *
 * @example
 * ```ts
 * import { rateLimit } from '@milkyway/core';
 * import { Hono } from 'hono';
 *
 * const app = new Hono();
 * app.use('/api/*', rateLimit({ name: 'api', limit: 100, windowMs: 60_000, trustProxy: 1 }));
 * app.post('/login', rateLimit({ name: 'login', limit: 5, windowMs: 60_000 }), (c) => c.text('welcome'));
 * ```
 */
export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const { limit, windowMs } = options;
  if (!Number.isFinite(limit) || limit < 1) throw new TypeError('rateLimit: limit must be >= 1');
  if (!Number.isFinite(windowMs) || windowMs <= 0)
    throw new TypeError('rateLimit: windowMs must be > 0');
  const sendHeaders = options.headers ?? true;
  if (sendHeaders && windowMs % 1000 !== 0) {
    // The `w` parameter of RateLimit-Policy is in whole seconds: rounding would misstate the rate.
    throw new TypeError(
      'rateLimit: windowMs must be a whole number of seconds while the RateLimit headers are sent (their window is in seconds); pass headers: false for a sub-second window',
    );
  }
  const burst = options.burst ?? limit;
  if (!(burst >= 1 && burst <= limit))
    throw new TypeError('rateLimit: burst must be within 1..limit');
  const name = options.name ?? 'default';
  if (!/^[A-Za-z0-9_.:-]+$/.test(name))
    throw new TypeError('rateLimit: name must be a token ([A-Za-z0-9_.:-])');
  const policy: RateLimitPolicy = { limit, windowMs, burst };
  const store = options.store ?? memoryRateLimitStore();
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const failOpen = options.failOpen ?? true;
  const trustProxy = options.trustProxy ?? false;
  const remote = options.remoteAddress ?? socketAddress;
  const cost = options.cost ?? 1;
  if (typeof cost === 'number' && !(cost >= 0 && cost <= burst)) {
    throw new TypeError('rateLimit: cost must be within 0..burst');
  }
  const keyOption = options.key ?? 'ip';
  const prefix = `${name}:`;
  const policyItem = `"${name}";q=${limit};w=${windowMs / 1000}`;
  const rejections = coreMeter().createCounter('milkyway.rate_limit.rejections', {
    description: 'Requests rejected by a rate limiter',
    unit: '{request}',
  });
  const rejectionAttrs: Attributes = { 'milkyway.rate_limit.name': name };
  let storeDown = false;

  const ipv6Subnet = options.ipv6Subnet ?? 64;
  const addressOf = (c: Context) => {
    const address = clientAddress(c, trustProxy, remote);
    return address === undefined ? 'unknown' : addressKey(address, ipv6Subnet);
  };
  const keyOf: (c: Context) => string | undefined =
    keyOption === 'ip'
      ? (c) => `ip:${addressOf(c)}`
      : keyOption === 'principal'
        ? (c) => {
            const subject = (c.var as { principal?: { subject?: unknown } }).principal?.subject;
            return typeof subject === 'string' ? `sub:${subject}` : `ip:${addressOf(c)}`;
          }
        : keyOption;

  const rateLimitItem = (d: RateLimitDecision) =>
    `"${name}";r=${d.remaining};t=${Math.ceil(d.resetMs / 1000)}`;

  const storeFailed = (err: unknown): void => {
    if (!storeDown) {
      storeDown = true;
      logger.warn(
        { err, limiter: name, failOpen },
        failOpen
          ? 'rate limit store unavailable; admitting requests unlimited'
          : 'rate limit store unavailable; rejecting requests',
      );
    }
    if (!failOpen) throw new RateLimitUnavailableError(name, 1, err);
  };

  const decided = (c: Context, d: RateLimitDecision) => {
    if (storeDown) {
      storeDown = false;
      logger.info({ limiter: name }, 'rate limit store recovered');
    }
    const fields = sendHeaders ? addToFields(c, policyItem, rateLimitItem(d)) : undefined;
    if (d.allowed) {
      if (fields) {
        c.header('RateLimit-Policy', fields.policy);
        c.header('RateLimit', fields.limit);
      }
      return;
    }
    rejections.add(1, rejectionAttrs);
    const retryAfter = Math.max(1, Math.ceil(d.retryAfterMs / 1000));
    throw new RateLimitedError(name, retryAfter, {
      'Retry-After': String(retryAfter),
      ...(fields ? { 'RateLimit-Policy': fields.policy, RateLimit: fields.limit } : {}),
    });
  };

  return async function rateLimitMiddleware(c, next) {
    const id = keyOf(c);
    if (id === undefined) return next();
    const units = typeof cost === 'number' ? cost : cost(c);
    if (!(units >= 0 && units <= burst)) {
      throw new TypeError(
        `rateLimit "${name}": cost must be a number within 0..burst, got ${units}`,
      );
    }
    let result: RateLimitDecision;
    try {
      const answer = store.check(prefix + id, policy, units, clock());
      // The memory store answers synchronously: only await what is a promise.
      result = isPromiseLike(answer) ? await answer : answer;
    } catch (err) {
      storeFailed(err);
      return next();
    }
    decided(c, result);
    return next();
  };
}
