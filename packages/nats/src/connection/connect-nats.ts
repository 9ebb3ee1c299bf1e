import { connect, type NatsConnection } from '@nats-io/transport-node';
import { NatsConnectError } from '../errors/nats-connect-error.js';
import type { NatsConnectionConfig } from './nats-connection-config.js';
import { redactNatsUrl, redactSecretsIn } from './redaction.js';
import { toConnectOptions } from './to-connect-options.js';

/**
 * Opens a NATS connection from a {@link NatsConnectionConfig}: cluster URLs, credentials, TLS,
 * reconnect forever by default. A failure rejects with a {@link NatsConnectError} whose message
 * carries no secret.
 *
 * @example
 * ```ts
 * import { connectNats } from '@milkyway/nats';
 *
 * const nc = await connectNats({ servers: 'nats://127.0.0.1:4222', name: 'orders' });
 * await nc.close();
 * ```
 */
export async function connectNats(config: NatsConnectionConfig): Promise<NatsConnection> {
  const servers = (typeof config.servers === 'string' ? [config.servers] : config.servers).map(
    redactNatsUrl,
  );
  try {
    return await connect(toConnectOptions(config));
  } catch (error) {
    const reason = redactSecretsIn(error instanceof Error ? error.message : String(error), config);
    throw new NatsConnectError(
      `could not connect to NATS at ${servers.join(', ')}: ${reason}`,
      servers,
    );
  }
}
