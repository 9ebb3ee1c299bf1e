import { type Clock, systemClock } from '@milkyway/protocol';
import { LRUCache } from 'lru-cache';
import type { CacheStore } from './store.js';

/**
 * Options of {@link memoryStore}.
 *
 * @example
 * ```ts
 * import type { MemoryStoreOptions } from '@milkyway/core';
 *
 * const options: MemoryStoreOptions = { maxEntries: 10_000, maxSizeBytes: 64 * 1024 * 1024 };
 * ```
 */
export interface MemoryStoreOptions {
  /** The most entries kept; the least recently used go first. Default 10 000. */
  maxEntries?: number;
  /** The most bytes kept (strings count two bytes a character); unbounded when omitted. */
  maxSizeBytes?: number;
  /** The clock used for expiry (default `Date.now`). */
  clock?: Clock;
}

/**
 * An in-process {@link CacheStore} on lru-cache, bounded by entries and/or size. The default
 * store of {@link createCache}: right for one replica, or for per-replica caching when a little
 * staleness between replicas is fine.
 *
 * @example
 * ```ts
 * import { createCache, memoryStore } from '@milkyway/core';
 *
 * const cache = createCache({ store: memoryStore({ maxEntries: 1_000 }), ttlMs: 60_000 });
 * ```
 */
export function memoryStore(options: MemoryStoreOptions = {}): CacheStore {
  const clock = options.clock ?? systemClock;
  const perf = { now: clock };
  const entries = new LRUCache<string, string>({
    max: options.maxEntries ?? (options.maxSizeBytes ? 0 : 10_000),
    ...(options.maxSizeBytes
      ? {
          maxSize: options.maxSizeBytes,
          sizeCalculation: (value, key) => 2 * (value.length + key.length),
        }
      : {}),
    perf,
    ttlResolution: 0,
    allowStale: false,
  } as LRUCache.Options<string, string, unknown>);
  // Tag versions come from one counter. A tag pushed out by the bound raises `floor`, the
  // version every unknown tag then reports: entries loaded under an evicted tag's old version
  // become misses (never stale hits), at the cost of a few spurious misses.
  let counter = 0;
  let floor = 0;
  const tags = new LRUCache<string, number>({
    max: 100_000,
    perf,
    ttlResolution: 0,
    dispose: (version, _tag, reason) => {
      if (reason === 'evict' && version > floor) floor = version;
    },
  });
  return {
    async get(key) {
      return entries.get(key);
    },
    async set(key, value, ttlMs) {
      entries.set(key, value, { ttl: Math.max(1, Math.ceil(ttlMs)) });
    },
    async delete(key) {
      entries.delete(key);
    },
    async tagVersions(list) {
      return list.map((tag) => tags.get(tag) ?? floor);
    },
    async bumpTag(tag, retainMs) {
      tags.set(tag, ++counter, { ttl: Math.max(1, Math.ceil(retainMs)) });
    },
  };
}
