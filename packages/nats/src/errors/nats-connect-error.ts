import { ProblemError } from '@milkyway/protocol';

/**
 * The first connection to NATS failed (servers unreachable, bad credentials, TLS refused).
 * Its message names the servers with every secret replaced by `[REDACTED]`.
 *
 * @example
 * ```ts
 * import { connectNats, NatsConnectError } from '@milkyway/nats';
 *
 * try {
 *   await connectNats({ servers: 'nats://127.0.0.1:4222', connectTimeoutMs: 2_000 });
 * } catch (e) {
 *   if (NatsConnectError.is(e)) console.error(e.message); // no password in it
 * }
 * ```
 */
export class NatsConnectError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.nats.connect');
  /** The servers tried, secrets redacted. */
  readonly servers: readonly string[];

  /**
   * @param message - what failed, already redacted.
   * @param servers - the servers tried, already redacted.
   */
  constructor(message: string, servers: readonly string[]) {
    super(503, message, { title: 'Message broker unreachable', expose: false });
    this.name = 'NatsConnectError';
    this.servers = servers;
  }
}
