import { REDACTED } from '@milkyway/protocol';
import { describe, expect, it } from 'vitest';
import { freePort, startNatsServer } from '../../../test-support/nats-server.js';
import { toConnectOptions } from '../src/connection/to-connect-options.js';
import {
  connectNats,
  describeNatsConfig,
  NatsConnectError,
  natsConfigFromEnv,
  redactNatsUrl,
} from '../src/index.js';

describe('NATS connection config', () => {
  it('takes the cluster URLs from NATS_URL, comma-separated', () => {
    const config = natsConfigFromEnv({ NATS_URL: 'nats://a:4222, nats://b:4222,nats://c:4222' });
    expect(config.servers).toEqual(['nats://a:4222', 'nats://b:4222', 'nats://c:4222']);
  });

  it('picks the creds file before any other credential', () => {
    const config = natsConfigFromEnv({ NATS_CREDS: '/run/secrets/x.creds', NATS_TOKEN: 't' });
    expect(config.auth).toEqual({ credsFile: '/run/secrets/x.creds' });
  });

  it('reads a token, a user and password, an NKey seed and a JWT from the environment', () => {
    expect(natsConfigFromEnv({ NATS_TOKEN: 't' }).auth).toEqual({ token: 't' });
    expect(natsConfigFromEnv({ NATS_USER: 'u', NATS_PASSWORD: 'p' }).auth).toEqual({
      user: 'u',
      password: 'p',
    });
    expect(natsConfigFromEnv({ NATS_NKEY_SEED: 'SU...' }).auth).toEqual({ nkeySeed: 'SU...' });
    expect(natsConfigFromEnv({ NATS_NKEY_SEED: 'SU...', NATS_JWT: 'ey...' }).auth).toEqual({
      jwt: 'ey...',
      nkeySeed: 'SU...',
    });
  });

  it('reconnects forever by default, so a broker restart never strands the service', () => {
    const options = toConnectOptions({ servers: 'nats://a:4222' });
    expect(options.maxReconnectAttempts).toBe(-1);
  });

  it('passes credentials as an authenticator, never as plain options that a debug dump would show', () => {
    const options = toConnectOptions({ servers: 'nats://a:4222', auth: { token: 's3cret' } });
    expect(options.authenticator).toBeTypeOf('function');
    expect(JSON.stringify(options)).not.toContain('s3cret');
  });
});

describe('secrets in logs and errors', () => {
  it('redacts the password of a server URL and keeps the user', () => {
    expect(redactNatsUrl('nats://orders:s3cret@nats-1:4222')).toBe(
      `nats://orders:${REDACTED}@nats-1:4222`,
    );
  });

  it('redacts a token given as the user part of a URL', () => {
    expect(redactNatsUrl('nats://s3cret@nats-1:4222')).toBe(`nats://${REDACTED}@nats-1:4222`);
  });

  it('describes a config with every credential redacted and the creds file path kept', () => {
    const shown = JSON.stringify([
      describeNatsConfig({ servers: 'nats://a', auth: { user: 'u', password: 'p4ss' } }),
      describeNatsConfig({ servers: 'nats://a', auth: { token: 't0ken' } }),
      describeNatsConfig({ servers: 'nats://a', auth: { jwt: 'eyJ.jwt', nkeySeed: 'SUSEED' } }),
      describeNatsConfig({ servers: 'nats://a', auth: { credsFile: '/run/x.creds' } }),
    ]);
    for (const secret of ['p4ss', 't0ken', 'eyJ.jwt', 'SUSEED'])
      expect(shown).not.toContain(secret);
    expect(shown).toContain('/run/x.creds');
    expect(shown).toContain(REDACTED);
  });

  it('rejects a failed connection with a NatsConnectError that names the server but not its password', async () => {
    const port = await freePort();
    const error = await connectNats({
      servers: `nats://orders:s3cret@127.0.0.1:${port}`,
      auth: { user: 'orders', password: 's3cret' },
      connectTimeoutMs: 1_000,
    }).catch((e: unknown) => e);
    expect(NatsConnectError.is(error)).toBe(true);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).not.toContain('s3cret');
  });
});

describe('credentials against a real server', () => {
  it('connects with a token and with a user and password', async () => {
    const byToken = await startNatsServer({ args: ['--auth', 't0ken'] });
    const byUser = await startNatsServer({ args: ['--user', 'orders', '--pass', 'p4ss'] });
    try {
      const a = await connectNats({ servers: byToken.url, auth: { token: 't0ken' } });
      const b = await connectNats({
        servers: byUser.url,
        auth: { user: 'orders', password: 'p4ss' },
      });
      expect(a.info?.auth_required).toBe(true);
      expect(b.info?.auth_required).toBe(true);
      await Promise.all([a.close(), b.close()]);
    } finally {
      await Promise.all([byToken.stop(), byUser.stop()]);
    }
  });

  it('refuses a wrong password with a NatsConnectError that does not quote it', async () => {
    const server = await startNatsServer({ args: ['--user', 'orders', '--pass', 'p4ss'] });
    try {
      const error = await connectNats({
        servers: server.url,
        auth: { user: 'orders', password: 'wr0ng' },
        connectTimeoutMs: 2_000,
      }).catch((e: unknown) => e);
      expect(NatsConnectError.is(error)).toBe(true);
      expect((error as Error).message).toMatch(/authorization/i);
      expect((error as Error).message).not.toContain('wr0ng');
    } finally {
      await server.stop();
    }
  });
});
