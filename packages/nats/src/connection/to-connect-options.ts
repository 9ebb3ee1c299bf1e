import { readFileSync } from 'node:fs';
import {
  type Authenticator,
  credsAuthenticator,
  jwtAuthenticator,
  type NodeConnectionOptions,
  nkeyAuthenticator,
  tokenAuthenticator,
  usernamePasswordAuthenticator,
} from '@nats-io/transport-node';
import type { NatsAuth, NatsConnectionConfig } from './nats-connection-config.js';
import { revealSecret } from './redaction.js';

const encoder = new TextEncoder();

function authenticator(auth: NatsAuth): Authenticator {
  if ('credsFile' in auth) {
    const path = auth.credsFile;
    // Read on every (re)connect, so a rotated creds file is picked up without a restart.
    return credsAuthenticator(() => readFileSync(path));
  }
  if ('jwt' in auth) {
    const { jwt, nkeySeed } = auth;
    return jwtAuthenticator(
      () => revealSecret(jwt),
      () => encoder.encode(revealSecret(nkeySeed)),
    );
  }
  if ('nkeySeed' in auth) {
    const { nkeySeed } = auth;
    return nkeyAuthenticator(() => encoder.encode(revealSecret(nkeySeed)));
  }
  if ('token' in auth) {
    const { token } = auth;
    return tokenAuthenticator(() => revealSecret(token));
  }
  const { user, password } = auth;
  return usernamePasswordAuthenticator(user, () => revealSecret(password));
}

/** The `@nats-io/transport-node` options for a {@link NatsConnectionConfig}. */
export function toConnectOptions(config: NatsConnectionConfig): NodeConnectionOptions {
  const options: NodeConnectionOptions = {
    servers: typeof config.servers === 'string' ? config.servers : [...config.servers],
    maxReconnectAttempts: config.maxReconnectAttempts ?? -1,
    reconnectTimeWait: config.reconnectTimeWaitMs ?? 1_000,
    noAsyncTraces: !config.asyncTraces,
  };
  if (config.name !== undefined) options.name = config.name;
  if (config.connectTimeoutMs !== undefined) options.timeout = config.connectTimeoutMs;
  if (config.pingIntervalMs !== undefined) options.pingInterval = config.pingIntervalMs;
  if (config.auth) options.authenticator = authenticator(config.auth);
  if (config.tls) options.tls = config.tls === true ? {} : { ...config.tls };
  return options;
}
