import { DatabaseUnavailableError } from './database-unavailable-error.js';

/** Node socket errors that mean "no connection". */
const SOCKET_CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connect timeout',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
};

/** SQLSTATEs that mean the server cannot serve us now (class 08, shutdown, overload, timeout). */
const SQLSTATES: Record<string, string> = {
  '57P01': 'server shutting down',
  '57P02': 'server crashed',
  '57P03': 'server not accepting connections',
  '53300': 'too many connections',
  '57014': 'statement timeout',
  '25P03': 'idle in transaction timeout',
};

/** node-postgres reports some connection failures with a message and no code. */
const MESSAGES: Array<[RegExp, string]> = [
  [/timeout exceeded when trying to connect/i, 'connect timeout'],
  [/connection terminated/i, 'connection terminated'],
  [
    /connection (?:is )?closed|client has encountered a connection error|not queryable/i,
    'connection closed',
  ],
  [/Client was closed and is not queryable|Cannot use a pool after calling end/i, 'pool closed'],
];

/**
 * Why `error` means the database is unreachable, or `undefined` when it is an ordinary SQL error
 * (a constraint, a syntax error: the caller's to handle).
 */
export function unavailableReason(error: unknown): string | undefined {
  if (DatabaseUnavailableError.is(error)) return error.reason;
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, message, errors } = error as {
    code?: unknown;
    message?: unknown;
    errors?: unknown;
  };
  if (typeof code === 'string') {
    if (SOCKET_CODES[code]) return SOCKET_CODES[code];
    if (SQLSTATES[code]) return SQLSTATES[code];
    if (code.startsWith('08')) return 'connection exception';
  }
  // AggregateError from a dual-stack connect attempt.
  if (Array.isArray(errors) && errors.length > 0) return unavailableReason(errors[0]);
  if (typeof message === 'string') {
    for (const [pattern, reason] of MESSAGES) if (pattern.test(message)) return reason;
  }
  return undefined;
}

/** Rethrows connection failures as {@link DatabaseUnavailableError}, everything else unchanged. */
export function asDatabaseError(error: unknown): unknown {
  if (DatabaseUnavailableError.is(error)) return error;
  const reason = unavailableReason(error);
  return reason === undefined ? error : new DatabaseUnavailableError(reason, error);
}
