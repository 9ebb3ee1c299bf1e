import { Redis, type RedisOptions } from 'ioredis';

/**
 * The ioredis options `@milkyway/redis` uses for clients it creates: fail fast while Redis is
 * down (no offline queue, one retry, a command timeout) and keep reconnecting in the background,
 * so a down Redis costs a request milliseconds (then the fail-open/closed policy applies),
 * never a hang.
 *
 * @example
 * ```ts
 * import { failFastRedisOptions } from '@milkyway/redis';
 * import { Redis } from 'ioredis';
 *
 * const client = new Redis('redis://127.0.0.1:6379', { ...failFastRedisOptions, db: 2 });
 * ```
 */
export const failFastRedisOptions: Readonly<RedisOptions> = Object.freeze({
  enableOfflineQueue: false,
  maxRetriesPerRequest: 1,
  commandTimeout: 500,
  connectTimeout: 1_000,
  retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 5), 1_000),
});

/**
 * Creates an ioredis client with {@link failFastRedisOptions} (overridable). It connects at
 * once and keeps reconnecting in the background after a loss; the stores wait for the first
 * connection (up to 1 s) and afterwards fail fast while Redis is unreachable. It has an
 * `error` listener, so reconnect attempts are not printed (add your own to watch them).
 *
 * @example
 * ```ts
 * import { createRedisClient, redisCacheStore, redisRateLimitStore } from '@milkyway/redis';
 *
 * const client = createRedisClient('redis://127.0.0.1:6379');
 * const cacheStore = redisCacheStore({ client, prefix: 'catalog:' });
 * const limiterStore = redisRateLimitStore({ client, prefix: 'catalog:' });
 * ```
 */
export function createRedisClient(url: string, options: RedisOptions = {}): Redis {
  const client = new Redis(url, { ...failFastRedisOptions, ...options });
  // Connection errors surface as failed commands, which the cache and the limiter log through
  // their logger (once per outage); without a listener ioredis prints every reconnect attempt.
  client.on('error', () => {});
  return client;
}

/**
 * How a store gets its connection: a client you already have (you close it), or a URL (the
 * store creates a fail-fast client and `close()` quits it).
 *
 * @example
 * ```ts
 * import type { RedisConnection } from '@milkyway/redis';
 * import { Redis } from 'ioredis';
 *
 * const fromUrl: RedisConnection = { url: 'redis://127.0.0.1:6379' };
 * const fromClient: RedisConnection = { client: new Redis('redis://127.0.0.1:6379') };
 * ```
 */
export interface RedisConnection {
  /** An ioredis client (or Cluster) to use; it is not closed by the store. */
  client?: Redis;
  /** A Redis URL; the store creates and owns a client with {@link failFastRedisOptions}. */
  url?: string;
}

/** Resolves a {@link RedisConnection} into a client and whether the store owns it. */
export function resolveClient(
  connection: RedisConnection,
  who: string,
): { client: Redis; owned: boolean } {
  if (connection.client) return { client: connection.client, owned: false };
  if (connection.url) return { client: createRedisClient(connection.url), owned: true };
  throw new TypeError(`${who}: pass a client or a url`);
}

/** Checks a key prefix: non-empty, so that services sharing a Redis stay apart. */
export function checkPrefix(prefix: string | undefined, who: string): string {
  if (typeof prefix !== 'string' || prefix.length === 0) {
    throw new TypeError(`${who}: a non-empty prefix (e.g. the service name and ':') is required`);
  }
  return prefix;
}

/**
 * A guard run before every store command, so that a store fails fast whatever options the
 * client was created with: until the client is first ready it waits (once, at most
 * `timeoutMs`); afterwards, while the client is not ready (Redis down, reconnecting), it throws
 * at once instead of letting the command sit in an offline queue.
 */
export function connectionGuard(client: Redis, timeoutMs = 1_000): () => Promise<void> | undefined {
  let everReady = client.status === 'ready';
  let waiting: Promise<void> | undefined;
  if (!everReady) {
    client.once('ready', () => {
      everReady = true;
    });
  }
  return () => {
    const status = client.status;
    if (status === 'ready') return undefined;
    if (everReady) {
      return Promise.reject(new Error(`Redis connection is not ready (status: ${status})`));
    }
    if (status === 'wait') client.connect().catch(() => {}); // lazyConnect clients
    waiting ??= new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref?.();
      client.once('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    return waiting;
  };
}
