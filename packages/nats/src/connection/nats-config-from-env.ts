import type { NatsAuth, NatsConnectionConfig } from './nats-connection-config.js';

/**
 * Reads a {@link NatsConnectionConfig} from the conventional NATS environment variables:
 * `NATS_URL` (comma-separated cluster URLs, default `nats://127.0.0.1:4222`), and one of
 * `NATS_CREDS` (a `.creds` file path), `NATS_NKEY_SEED` (with `NATS_JWT` for JWT auth),
 * `NATS_TOKEN`, or `NATS_USER` + `NATS_PASSWORD`.
 *
 * @example
 * ```ts
 * import { connectNats, natsConfigFromEnv } from '@milkyway/nats';
 *
 * const nc = await connectNats({ ...natsConfigFromEnv(), name: 'orders' });
 * await nc.close();
 * ```
 */
export function natsConfigFromEnv(
  env: Record<string, string | undefined> = process.env,
): NatsConnectionConfig {
  const servers = (env.NATS_URL ?? 'nats://127.0.0.1:4222')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const config: NatsConnectionConfig = { servers };
  const auth = authFromEnv(env);
  if (auth) config.auth = auth;
  return config;
}

function authFromEnv(env: Record<string, string | undefined>): NatsAuth | undefined {
  if (env.NATS_CREDS) return { credsFile: env.NATS_CREDS };
  if (env.NATS_JWT && env.NATS_NKEY_SEED)
    return { jwt: env.NATS_JWT, nkeySeed: env.NATS_NKEY_SEED };
  if (env.NATS_NKEY_SEED) return { nkeySeed: env.NATS_NKEY_SEED };
  if (env.NATS_TOKEN) return { token: env.NATS_TOKEN };
  if (env.NATS_USER) return { user: env.NATS_USER, password: env.NATS_PASSWORD ?? '' };
  return undefined;
}
