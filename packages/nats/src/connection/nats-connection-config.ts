/**
 * A secret value: a plain string, or anything with `reveal()` (such as `@milkyway/core`'s
 * `Secret` from `defineConfig`). Secrets never reach a log line or an error message.
 *
 * @example
 * ```ts
 * import type { SecretValue } from '@milkyway/nats';
 *
 * const token: SecretValue = { reveal: () => process.env.NATS_TOKEN ?? '' };
 * ```
 */
export type SecretValue = string | { reveal(): string };

/**
 * How the client proves who it is. One of: a token, a user and password, an NKey seed, a JWT
 * with its NKey seed, or a `.creds` file (the JWT + seed file `nsc` writes).
 *
 * @example
 * ```ts
 * import type { NatsAuth } from '@milkyway/nats';
 *
 * const byCreds: NatsAuth = { credsFile: '/run/secrets/orders.creds' };
 * const byPassword: NatsAuth = { user: 'orders', password: process.env.NATS_PASSWORD ?? '' };
 * ```
 */
export type NatsAuth =
  | { token: SecretValue }
  | { user: string; password: SecretValue }
  | { nkeySeed: SecretValue }
  | { jwt: SecretValue; nkeySeed: SecretValue }
  | { credsFile: string };

/**
 * TLS to the servers: `true` for the system's trust store, or file paths for a private CA and a
 * client certificate (mutual TLS).
 *
 * @example
 * ```ts
 * import type { NatsTls } from '@milkyway/nats';
 *
 * const tls: NatsTls = { caFile: '/etc/nats/ca.pem', certFile: '/etc/nats/client.pem', keyFile: '/etc/nats/client-key.pem' };
 * ```
 */
export type NatsTls = true | { caFile?: string; certFile?: string; keyFile?: string };

/**
 * Where and how to connect to NATS. The defaults suit a service that must survive broker
 * restarts: reconnect forever, every `reconnectTimeWaitMs`.
 *
 * @example
 * ```ts
 * import type { NatsConnectionConfig } from '@milkyway/nats';
 *
 * const config: NatsConnectionConfig = {
 *   servers: ['nats://nats-1:4222', 'nats://nats-2:4222', 'nats://nats-3:4222'],
 *   name: 'orders',
 *   auth: { credsFile: '/run/secrets/orders.creds' },
 *   tls: true,
 * };
 * ```
 */
export interface NatsConnectionConfig {
  /** One URL or the cluster's URLs (`nats://host:4222`, `tls://host:4222`). */
  servers: string | readonly string[];
  /** The connection name shown by the server's monitoring (default: none). */
  name?: string;
  /** Credentials (default: none). */
  auth?: NatsAuth;
  /** TLS options (default: whatever the URL scheme asks for). */
  tls?: NatsTls;
  /** How long the first connection may take, in ms (default 20 000, the client's). */
  connectTimeoutMs?: number;
  /** Pause between reconnection attempts to one server, in ms (default 1 000). */
  reconnectTimeWaitMs?: number;
  /** Reconnection attempts per server before giving up; `-1` is forever (default -1). */
  maxReconnectAttempts?: number;
  /** Interval of client pings that detect a dead server, in ms (default 30 000). */
  pingIntervalMs?: number;
  /**
   * Capture the caller's stack for every request so a timeout points at the calling line
   * (default false: it builds two `Error` objects per publish, ~10% of the publish CPU).
   */
  asyncTraces?: boolean;
}
