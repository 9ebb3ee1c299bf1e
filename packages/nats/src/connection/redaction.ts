import { REDACTED } from '@milkyway/protocol';
import type { NatsAuth, NatsConnectionConfig, SecretValue } from './nats-connection-config.js';

/** The plain value of a {@link SecretValue}. */
export function revealSecret(value: SecretValue): string {
  return typeof value === 'string' ? value : value.reveal();
}

/**
 * A server URL with any password or token in it replaced by `[REDACTED]`
 * (`nats://orders:s3cret@nats-1:4222` -> `nats://orders:[REDACTED]@nats-1:4222`).
 *
 * @example
 * ```ts
 * import { redactNatsUrl } from '@milkyway/nats';
 *
 * redactNatsUrl('nats://orders:s3cret@nats-1:4222'); // 'nats://orders:[REDACTED]@nats-1:4222'
 * ```
 */
export function redactNatsUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/)([^@/]*)@/i, (_all, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    // A lone userinfo without a colon is a token (nats://TOKEN@host).
    return colon === -1
      ? `${scheme}${REDACTED}@`
      : `${scheme}${userinfo.slice(0, colon)}:${REDACTED}@`;
  });
}

function secretsOf(auth: NatsAuth | undefined): string[] {
  if (!auth) return [];
  const values: SecretValue[] = [];
  if ('token' in auth) values.push(auth.token);
  if ('password' in auth) values.push(auth.password);
  if ('nkeySeed' in auth) values.push(auth.nkeySeed);
  if ('jwt' in auth) values.push(auth.jwt);
  return values.map(revealSecret).filter((v) => v.length > 0);
}

/**
 * Replaces every secret of `config` (credentials, URL passwords) found in `text` by
 * `[REDACTED]`: for error messages and log lines that quote what the client said.
 */
export function redactSecretsIn(text: string, config: NatsConnectionConfig): string {
  let out = text.replace(/[a-z]+:\/\/[^\s@/]*@/gi, (m) => redactNatsUrl(m));
  for (const secret of secretsOf(config.auth)) out = out.split(secret).join(REDACTED);
  return out;
}

/**
 * A copy of the connection config safe to log: URL passwords and every credential replaced
 * by `[REDACTED]` (a creds file keeps its path, which is not a secret).
 *
 * @example
 * ```ts
 * import { describeNatsConfig } from '@milkyway/nats';
 *
 * describeNatsConfig({ servers: 'nats://nats-1:4222', auth: { user: 'orders', password: 's3cret' } });
 * // { servers: ['nats://nats-1:4222'], auth: { user: 'orders', password: '[REDACTED]' } }
 * ```
 */
export function describeNatsConfig(config: NatsConnectionConfig): Record<string, unknown> {
  const servers = (typeof config.servers === 'string' ? [config.servers] : config.servers).map(
    redactNatsUrl,
  );
  const { auth, ...rest } = config;
  const out: Record<string, unknown> = { ...rest, servers };
  if (auth) {
    const shown: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(auth)) {
      shown[key] = key === 'user' || key === 'credsFile' ? value : REDACTED;
    }
    out.auth = shown;
  }
  return out;
}
