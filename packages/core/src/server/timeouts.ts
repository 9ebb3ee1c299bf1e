import type { LingerLimits } from './lingering-close.js';
import type { ServerOptions } from './options.js';

/** The Node server settings that follow from {@link ServerOptions}. @internal */
export interface ServerSettings {
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  /** How often Node looks for connections past their headers/request timeout. */
  connectionsCheckingIntervalMs: number;
  linger: LingerLimits;
}

/** Node checks for expired connections at most this far apart: the shedding delay after a timeout. */
const MAX_CHECKING_INTERVAL_MS = 1_000;
const MIN_CHECKING_INTERVAL_MS = 25;

/**
 * How often Node must look for connections past their timeouts so that they are shed within
 * about a second of the timeout: Node only checks every `connectionsCheckingInterval` (30 s by
 * default, fixed when the server is created), so a 10 s `headersTimeout` really meant 10–40 s.
 * A tenth of the shortest timeout, between 25 ms and 1 s.
 * @internal
 */
export function checkingIntervalFor(headersTimeoutMs: number, requestTimeoutMs: number): number {
  const active = [headersTimeoutMs, requestTimeoutMs].filter((ms) => ms > 0);
  if (active.length === 0) return MAX_CHECKING_INTERVAL_MS;
  const tenth = Math.floor(Math.min(...active) / 10);
  return Math.min(MAX_CHECKING_INTERVAL_MS, Math.max(MIN_CHECKING_INTERVAL_MS, tenth));
}

function duration(name: string, value: number | undefined, fallback: number): number {
  const ms = value ?? fallback;
  if (!Number.isFinite(ms) || ms < 0) {
    throw new TypeError(`server.${name} must be a non-negative number of milliseconds, got ${ms}`);
  }
  return ms;
}

/**
 * Fills in the defaults of {@link ServerOptions} and checks them. `requestTimeoutMs` is never
 * below `headersTimeoutMs` (Node refuses that combination).
 * @internal
 */
export function serverSettings(options: ServerOptions = {}): ServerSettings {
  const headersTimeoutMs = duration('headersTimeoutMs', options.headersTimeoutMs, 10_000);
  const requestTimeoutMs = duration(
    'requestTimeoutMs',
    options.requestTimeoutMs,
    Math.max(30_000, headersTimeoutMs),
  );
  if (requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) {
    throw new TypeError(
      `server.headersTimeoutMs (${headersTimeoutMs}) cannot exceed server.requestTimeoutMs (${requestTimeoutMs})`,
    );
  }
  return {
    headersTimeoutMs,
    requestTimeoutMs,
    keepAliveTimeoutMs: duration('keepAliveTimeoutMs', options.keepAliveTimeoutMs, 5_000),
    connectionsCheckingIntervalMs: checkingIntervalFor(headersTimeoutMs, requestTimeoutMs),
    linger: {
      lingerMs: duration('lingerMs', options.lingerMs, 5_000),
      lingerMaxBytes: duration('lingerMaxBytes', options.lingerMaxBytes, 16 * 1024 * 1024),
    },
  };
}
