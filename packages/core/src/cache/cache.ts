import { type Clock, type Logger, silentLogger, systemClock } from '@milkyway/protocol';
import type { Attributes } from '@opentelemetry/api';
import { LRUCache } from 'lru-cache';
import { cacheRequestsCounter } from '../support/metrics.js';
import { memoryStore } from './memory-store.js';
import { jsonSerializer, type Serializer } from './serializer.js';
import type { CacheStore } from './store.js';

/**
 * Options of {@link createCache}.
 *
 * @example
 * ```ts
 * import type { CacheOptions } from '@milkyway/core';
 *
 * const options: CacheOptions = { ttlMs: 60_000, staleWhileRevalidateMs: 30_000, namespace: 'products' };
 * ```
 */
export interface CacheOptions {
  /** Where entries live. Default: a fresh {@link memoryStore}. */
  store?: CacheStore;
  /** Prefix of every key of this cache (`namespace:key`), so caches can share a store. */
  namespace?: string;
  /** How long an entry is fresh, in milliseconds (overridable per `set`/`getOrLoad`). */
  ttlMs: number;
  /**
   * For how long after it stops being fresh `getOrLoad` still returns an entry, refreshing it in
   * the background (one refresh at a time). Default 0.
   */
  staleWhileRevalidateMs?: number;
  /**
   * For how long after it stops being fresh `getOrLoad` returns an entry when the loader fails
   * (the failure is logged). Default 0.
   */
  staleIfErrorMs?: number;
  /** Encodes values (default {@link jsonSerializer}). */
  serializer?: Serializer;
  /** The time source for freshness (default `Date.now`). */
  clock?: Clock;
  /** Receives warnings: store unreachable, loader failed while serving stale, corrupt entries. */
  logger?: Pick<Logger, 'debug' | 'info' | 'warn'>;
  /**
   * How long a cross-replica load lock lives if its holder never releases it (it crashed).
   * Default 10 s. Only used with stores that implement locks (Redis).
   */
  lockTtlMs?: number;
  /** How long a replica waits for another replica's load before loading itself. Default 5 s. */
  lockWaitMs?: number;
  /** How often a waiting replica looks for the other's result. Default 25 ms. */
  lockPollMs?: number;
  /**
   * The longest a tagged entry may live, and how long tag invalidations are remembered.
   * Default 24 h.
   */
  tagRetentionMs?: number;
}

/**
 * Per-call options of {@link Cache.set} and {@link Cache.getOrLoad}.
 *
 * @example
 * ```ts
 * import { type CacheSetOptions, createCache } from '@milkyway/core';
 *
 * const cache = createCache({ ttlMs: 60_000 });
 * const options: CacheSetOptions = { ttlMs: 5_000, tags: ['product:42'] };
 * await cache.set('product:42', { id: '42', name: 'Lamp' }, options);
 * ```
 */
export interface CacheSetOptions {
  /** Freshness for this entry, overriding the cache's `ttlMs`. */
  ttlMs?: number;
  /** Tags this entry belongs to, for {@link Cache.invalidateTag}. */
  tags?: readonly string[];
}

/**
 * A cache over a {@link CacheStore}. Values are serialised, so what comes back is a copy.
 *
 * @example
 * ```ts
 * import { type Cache, createCache } from '@milkyway/core';
 *
 * declare function findProduct(id: string): Promise<{ id: string; name: string }>;
 * const cache: Cache = createCache({ ttlMs: 60_000, staleWhileRevalidateMs: 30_000 });
 * const product = await cache.getOrLoad('product:42', () => findProduct('42'), { tags: ['product:42'] });
 * await cache.invalidateTag('product:42'); // after an update
 * ```
 */
export interface Cache {
  /** The default freshness of entries, in milliseconds. */
  readonly ttlMs: number;
  /** The fresh value under `key`, or `undefined` (absent, expired, stale, invalidated or unreadable). */
  get<T = unknown>(key: string): Promise<T | undefined>;
  /**
   * Like {@link Cache.get}, but the value is deep-frozen and shared by every caller that reads
   * the same stored bytes: while the stored string is unchanged it is deserialized once, not on
   * every read. For hot read-only values (the response cache's hits); never mutate the result.
   */
  getShared<T = unknown>(key: string): Promise<Readonly<T> | undefined>;
  /** Stores `value` under `key`. Values the serializer cannot encode (`undefined`) are skipped. */
  set<T>(key: string, value: T, options?: CacheSetOptions): Promise<void>;
  /** Removes `key`. */
  delete(key: string): Promise<void>;
  /**
   * Returns the value under `key`, calling `loader` on a miss. Concurrent misses of one key call
   * the loader once in this process, and once across replicas when the store has locks (Redis).
   * Serves stale entries within `staleWhileRevalidateMs` (refreshing in the background) and when
   * the loader fails within `staleIfErrorMs`. An unreachable store counts as a miss.
   */
  getOrLoad<T>(key: string, loader: () => Promise<T>, options?: CacheSetOptions): Promise<T>;
  /** Invalidates every entry stored with `tag`, in every replica sharing the store. */
  invalidateTag(tag: string): Promise<void>;
}

/** What an entry's header line records (times are epoch ms of the cache clock). */
interface EntryHeader {
  /** Format version. */
  v: 1;
  /** Fresh until. */
  f: number;
  /** Served stale while revalidating until. */
  s: number;
  /** Served stale on loader error until. */
  e: number;
  /** When the value was stored. */
  c: number;
  /** Tags and the versions the value was loaded under. */
  t?: Record<string, number>;
}

interface Entry {
  header: EntryHeader;
  value: unknown;
}

/** How many decoded entries `getShared` keeps per cache. */
const SHARED_MEMO_ENTRIES = 1_000;

/** Freezes a plain JSON-like value and everything it holds. */
function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const child of Object.values(value)) deepFreeze(child);
}

const HIT: Attributes = { 'milkyway.cache.result': 'hit' };
const MISS: Attributes = { 'milkyway.cache.result': 'miss' };
const STALE: Attributes = { 'milkyway.cache.result': 'stale' };

/**
 * Creates a {@link Cache}: in memory by default, shared between replicas with
 * `redisCacheStore` from `@milkyway/redis`.
 *
 * Entries are stored as one header line (JSON: freshness windows, tag versions) and the
 * serialised value; anything else found under a key (corrupt, foreign, older format) is a miss.
 * Emits `milkyway.cache.requests` (attribute `milkyway.cache.result` = hit | miss | stale).
 *
 * @example
 * ```ts
 * import { createCache } from '@milkyway/core';
 * import { Hono } from 'hono';
 *
 * declare function findProduct(id: string): Promise<{ id: string; name: string }>;
 * const cache = createCache({ namespace: 'catalog', ttlMs: 60_000, staleWhileRevalidateMs: 30_000 });
 * const app = new Hono();
 * app.get('/products/:id', async (c) => {
 *   const id = c.req.param('id');
 *   const product = await cache.getOrLoad(`product:${id}`, () => findProduct(id), { tags: [`product:${id}`] });
 *   return c.json(product);
 * });
 * ```
 */
export function createCache(options: CacheOptions): Cache {
  const store = options.store ?? memoryStore({ clock: options.clock });
  const prefix = options.namespace ? `${options.namespace}:` : '';
  const clock = options.clock ?? systemClock;
  const serializer = options.serializer ?? jsonSerializer;
  const logger = options.logger ?? silentLogger;
  const defaultTtl = options.ttlMs;
  const swr = options.staleWhileRevalidateMs ?? 0;
  const sie = options.staleIfErrorMs ?? 0;
  const lockTtlMs = options.lockTtlMs ?? 10_000;
  const lockWaitMs = options.lockWaitMs ?? 5_000;
  const lockPollMs = options.lockPollMs ?? 25;
  const tagRetentionMs = options.tagRetentionMs ?? 24 * 60 * 60 * 1000;
  const requests = cacheRequestsCounter();
  const attrs = (base: Attributes): Attributes =>
    options.namespace ? { ...base, 'milkyway.cache.namespace': options.namespace } : base;
  const hitAttrs = attrs(HIT);
  const missAttrs = attrs(MISS);
  const staleAttrs = attrs(STALE);
  const inflight = new Map<string, Promise<unknown>>();
  const acquireLock = store.acquireLock?.bind(store);
  const releaseLock = store.releaseLock?.bind(store);

  if (!(defaultTtl > 0)) throw new TypeError('createCache: ttlMs must be a positive number');

  const storeFailed = (op: string, key: string, err: unknown) => {
    logger.warn({ err, op, key }, 'cache store unavailable; treating as a miss');
  };

  // getShared's memo: the last decoded (and frozen) entry per key with the exact string it came
  // from. A memory store hands back the same string object, so the check is a pointer compare;
  // another store's equal copy costs one string compare, still far less than a JSON parse.
  const shared = new LRUCache<string, { raw: string; entry: Entry }>({ max: SHARED_MEMO_ENTRIES });

  /** Reads and validates an entry; any problem is a miss. `share` reuses a frozen decode. */
  async function read(key: string, share = false): Promise<Entry | undefined> {
    let raw: string | undefined;
    try {
      raw = await store.get(key);
    } catch (err) {
      storeFailed('get', key, err);
      return undefined;
    }
    if (typeof raw !== 'string') return undefined;
    let entry: Entry | undefined;
    if (share) {
      const memo = shared.get(key);
      if (memo?.raw === raw) entry = memo.entry;
      else {
        entry = decode(key, raw);
        if (entry) {
          deepFreeze(entry);
          shared.set(key, { raw, entry });
        }
      }
    } else entry = decode(key, raw);
    if (!entry?.header.t) return entry;
    const tags = Object.keys(entry.header.t);
    let current: number[];
    try {
      current = await store.tagVersions(tags);
    } catch (err) {
      storeFailed('tagVersions', key, err);
      return undefined;
    }
    for (let i = 0; i < tags.length; i++) {
      if (current[i] !== entry.header.t[tags[i]!]) return undefined;
    }
    return entry;
  }

  function decode(key: string, raw: string): Entry | undefined {
    const newline = raw.indexOf('\n');
    if (newline < 0) return undefined;
    try {
      const header = JSON.parse(raw.slice(0, newline)) as EntryHeader;
      if (
        header === null ||
        typeof header !== 'object' ||
        header.v !== 1 ||
        typeof header.f !== 'number' ||
        typeof header.s !== 'number' ||
        typeof header.e !== 'number' ||
        typeof header.c !== 'number' ||
        (header.t !== undefined && (typeof header.t !== 'object' || header.t === null))
      ) {
        return undefined;
      }
      return { header, value: serializer.deserialize(raw.slice(newline + 1)) };
    } catch (err) {
      logger.debug({ err, key }, 'unreadable cache entry treated as a miss');
      return undefined;
    }
  }

  /** Writes `value`; `versions` are the tag versions read before the value was produced. */
  async function write(
    key: string,
    value: unknown,
    ttlMs: number,
    tags: readonly string[] | undefined,
    versions: number[] | undefined,
    createdAt: number,
  ): Promise<void> {
    let payload: string | undefined;
    try {
      payload = serializer.serialize(value);
    } catch (err) {
      logger.warn({ err, key }, 'cache value could not be serialised; not cached');
      return;
    }
    if (typeof payload !== 'string') return;
    const now = clock();
    const header: EntryHeader = {
      v: 1,
      f: now + ttlMs,
      s: now + ttlMs + swr,
      e: now + ttlMs + sie,
      c: createdAt,
    };
    let lifetime = ttlMs + Math.max(swr, sie);
    if (tags && tags.length > 0 && versions) {
      const t: Record<string, number> = {};
      for (let i = 0; i < tags.length; i++) t[tags[i]!] = versions[i] ?? 0;
      header.t = t;
      lifetime = Math.min(lifetime, tagRetentionMs);
    }
    try {
      await store.set(key, `${JSON.stringify(header)}\n${payload}`, lifetime);
    } catch (err) {
      storeFailed('set', key, err);
    }
  }

  async function versionsOf(key: string, tags: readonly string[] | undefined) {
    if (!tags || tags.length === 0) return undefined;
    try {
      return await store.tagVersions(tags);
    } catch (err) {
      storeFailed('tagVersions', key, err);
      return undefined;
    }
  }

  /** Calls the loader and stores its value. */
  async function loadAndStore<T>(
    key: string,
    loader: () => Promise<T>,
    opts: CacheSetOptions | undefined,
  ) {
    const createdAt = clock();
    const versions = await versionsOf(key, opts?.tags);
    const value = await loader();
    // A tagged value whose tag versions could not be read is returned but not stored.
    if (!opts?.tags?.length || versions) {
      await write(key, value, opts?.ttlMs ?? defaultTtl, opts?.tags, versions, createdAt);
    }
    return value;
  }

  /** Loads with the cross-replica lock when the store has one. */
  async function loadLocked<T>(
    key: string,
    loader: () => Promise<T>,
    opts: CacheSetOptions | undefined,
  ): Promise<T> {
    if (!acquireLock || !releaseLock) return loadAndStore(key, loader, opts);
    const lockKey = `lock:${key}`;
    const polls = Math.max(1, Math.ceil(lockWaitMs / lockPollMs));
    for (let attempt = 0; attempt <= polls; attempt++) {
      let token: string | undefined;
      try {
        token = await acquireLock(lockKey, lockTtlMs);
      } catch (err) {
        storeFailed('acquireLock', key, err);
        return loadAndStore(key, loader, opts);
      }
      if (token !== undefined) {
        try {
          // Another replica may have finished between our miss and taking the lock.
          if (attempt > 0) {
            const entry = await read(key);
            if (entry && clock() < entry.header.f) return entry.value as T;
          }
          return await loadAndStore(key, loader, opts);
        } finally {
          releaseLock(lockKey, token).catch((err) => storeFailed('releaseLock', key, err));
        }
      }
      if (attempt === polls) break;
      await new Promise((resolve) => setTimeout(resolve, lockPollMs));
      const entry = await read(key);
      if (entry && clock() < entry.header.f) return entry.value as T;
    }
    logger.warn({ key, lockWaitMs }, 'gave up waiting for another replica to load; loading here');
    return loadAndStore(key, loader, opts);
  }

  /** One load a key at a time in this process; falls back to a stale entry on error. */
  function load<T>(
    key: string,
    loader: () => Promise<T>,
    opts: CacheSetOptions | undefined,
    fallback: Entry | undefined,
  ): Promise<T> {
    const running = inflight.get(key);
    if (running) return running as Promise<T>;
    const promise = loadLocked(key, loader, opts)
      .catch((err: unknown) => {
        if (fallback && clock() < fallback.header.e) {
          logger.warn({ err, key }, 'cache loader failed; serving a stale value');
          return fallback.value as T;
        }
        throw err;
      })
      .finally(() => {
        inflight.delete(key);
      });
    inflight.set(key, promise);
    return promise;
  }

  return {
    ttlMs: defaultTtl,

    async get<T>(key: string) {
      const entry = await read(prefix + key);
      if (entry && clock() < entry.header.f) {
        requests.add(1, hitAttrs);
        return entry.value as T;
      }
      requests.add(1, missAttrs);
      return undefined;
    },

    async getShared<T>(key: string) {
      const entry = await read(prefix + key, true);
      if (entry && clock() < entry.header.f) {
        requests.add(1, hitAttrs);
        return entry.value as Readonly<T>;
      }
      requests.add(1, missAttrs);
      return undefined;
    },

    async set(key, value, opts) {
      const full = prefix + key;
      const versions = await versionsOf(full, opts?.tags);
      if (opts?.tags?.length && !versions) return;
      await write(full, value, opts?.ttlMs ?? defaultTtl, opts?.tags, versions, clock());
    },

    async delete(key) {
      try {
        await store.delete(prefix + key);
      } catch (err) {
        storeFailed('delete', prefix + key, err);
        throw err;
      }
    },

    async getOrLoad<T>(key: string, loader: () => Promise<T>, opts?: CacheSetOptions): Promise<T> {
      const full = prefix + key;
      const entry = await read(full);
      if (entry) {
        const now = clock();
        if (now < entry.header.f) {
          requests.add(1, hitAttrs);
          return entry.value as T;
        }
        if (now < entry.header.s) {
          requests.add(1, staleAttrs);
          load(full, loader, opts, undefined).catch((err: unknown) => {
            logger.warn({ err, key: full }, 'background cache refresh failed');
          });
          return entry.value as T;
        }
      }
      requests.add(1, missAttrs);
      return load(full, loader, opts, entry);
    },

    async invalidateTag(tag) {
      await store.bumpTag(tag, tagRetentionMs);
    },
  };
}
