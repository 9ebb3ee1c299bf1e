import { randomUUID } from 'node:crypto';
import type { CacheStore } from '@milkyway/core';
import type { Redis } from 'ioredis';
import { checkPrefix, connectionGuard, type RedisConnection, resolveClient } from './client.js';
import { BUMP_TAG_SCRIPT, UNLOCK_SCRIPT } from './scripts.js';

/**
 * Options of {@link redisCacheStore}.
 *
 * @example
 * ```ts
 * import type { RedisCacheStoreOptions } from '@milkyway/redis';
 *
 * const options: RedisCacheStoreOptions = { url: 'redis://127.0.0.1:6379', prefix: 'catalog:' };
 * ```
 */
export interface RedisCacheStoreOptions extends RedisConnection {
  /** Prefix of every key this store writes (one per service), e.g. `'catalog:'`. */
  prefix: string;
}

/**
 * A `CacheStore` (from `@milkyway/core`) on Redis, plus the means to close it.
 *
 * @example
 * ```ts
 * import { type RedisCacheStore, redisCacheStore } from '@milkyway/redis';
 *
 * const store: RedisCacheStore = redisCacheStore({ url: 'redis://127.0.0.1:6379', prefix: 'catalog:' });
 * await store.close(); // on shutdown
 * ```
 */
export interface RedisCacheStore extends CacheStore {
  /** The ioredis client in use. */
  readonly client: Redis;
  /** Quits the client if the store created it (from `url`); a no-op for a client you passed. */
  close(): Promise<void>;
}

interface ScriptedClient {
  milkywayUnlock(key: string, token: string): Promise<number>;
  milkywayBumpTag(key: string, retainMs: number): Promise<number>;
}

/**
 * A Redis-backed cache store shared by every replica: entries (`<prefix>e:<key>`, `SET PX`),
 * tag versions (`<prefix>t:<tag>`, `INCR` + `PEXPIRE`, read with one `MGET`), and load locks
 * (`<prefix>l:<key>`, `SET NX PX` with a random token, released by a compare-and-delete
 * script), so that a miss loads once across replicas and a crashed holder's lock expires.
 * No `KEYS`, no scans. Every operation is one round trip.
 *
 * @example
 * ```ts
 * import { createCache } from '@milkyway/core';
 * import { redisCacheStore } from '@milkyway/redis';
 *
 * const store = redisCacheStore({ url: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', prefix: 'catalog:' });
 * const cache = createCache({ store, namespace: 'products', ttlMs: 60_000, staleWhileRevalidateMs: 30_000 });
 * ```
 */
export function redisCacheStore(options: RedisCacheStoreOptions): RedisCacheStore {
  const prefix = checkPrefix(options.prefix, 'redisCacheStore');
  const { client, owned } = resolveClient(options, 'redisCacheStore');
  const connected = connectionGuard(client);
  client.defineCommand('milkywayUnlock', { numberOfKeys: 1, lua: UNLOCK_SCRIPT });
  client.defineCommand('milkywayBumpTag', { numberOfKeys: 1, lua: BUMP_TAG_SCRIPT });
  const scripted = client as unknown as ScriptedClient;
  const entry = (key: string) => `${prefix}e:${key}`;
  const tag = (name: string) => `${prefix}t:${name}`;
  const lock = (key: string) => `${prefix}l:${key}`;
  const isCluster = (client as { isCluster?: boolean }).isCluster === true;

  return {
    client,
    async get(key) {
      await connected();
      return (await client.get(entry(key))) ?? undefined;
    },
    async set(key, value, ttlMs) {
      await connected();
      await client.set(entry(key), value, 'PX', Math.max(1, Math.ceil(ttlMs)));
    },
    async delete(key) {
      await connected();
      await client.del(entry(key));
    },
    async tagVersions(tags) {
      if (tags.length === 0) return [];
      await connected();
      // A cluster spreads tags over slots: read them one by one (ioredis pipelines them).
      const values = isCluster
        ? await Promise.all(tags.map((t) => client.get(tag(t))))
        : await client.mget(tags.map(tag));
      return values.map((v) => (v === null ? 0 : Number(v)));
    },
    async bumpTag(name, retainMs) {
      await connected();
      await scripted.milkywayBumpTag(tag(name), Math.max(1, Math.ceil(retainMs)));
    },
    async acquireLock(key, ttlMs) {
      await connected();
      const token = randomUUID();
      const ok = await client.set(lock(key), token, 'PX', Math.max(1, Math.ceil(ttlMs)), 'NX');
      return ok === 'OK' ? token : undefined;
    },
    async releaseLock(key, token) {
      await connected();
      await scripted.milkywayUnlock(lock(key), token);
    },
    async close() {
      if (owned) await client.quit().catch(() => client.disconnect());
    },
  };
}
