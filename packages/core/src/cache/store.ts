/**
 * Where a {@link Cache} keeps its entries. Values are opaque strings (the cache serialises);
 * `ttlMs` is a hard expiry after which the store may forget the entry.
 *
 * Two stores ship: {@link memoryStore} (one process, the default) and `redisCacheStore` from
 * `@milkyway/redis` (shared by replicas). A store whose state is shared by several processes
 * implements the optional lock methods so that a miss loads once across all of them.
 *
 * @example
 * ```ts
 * import { type CacheStore, createCache, memoryStore } from '@milkyway/core';
 *
 * const store: CacheStore = memoryStore({ maxEntries: 50_000 });
 * const cache = createCache({ store, ttlMs: 30_000 });
 * ```
 */
export interface CacheStore {
  /** The stored string, or `undefined` when absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Stores `value` under `key` for `ttlMs` milliseconds. */
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** Removes `key` (no error when absent). */
  delete(key: string): Promise<void>;
  /**
   * The current version of each tag (0 for a tag never invalidated), in the order given.
   * An entry remembers the versions it was loaded under and is a miss once any has moved.
   */
  tagVersions(tags: readonly string[]): Promise<number[]>;
  /**
   * Moves a tag's version on, invalidating every entry stored under the old one. The version
   * must be remembered for at least `retainMs` (the longest life of a tagged entry).
   */
  bumpTag(tag: string, retainMs: number): Promise<void>;
  /**
   * Tries to take an exclusive lock that expires after `ttlMs` by itself (so a crashed holder
   * cannot block the key). Returns a token for {@link CacheStore.releaseLock}, or `undefined`
   * when someone else holds it. Implemented by stores shared between processes.
   */
  acquireLock?(key: string, ttlMs: number): Promise<string | undefined>;
  /** Releases a lock taken with {@link CacheStore.acquireLock}, only if `token` still owns it. */
  releaseLock?(key: string, token: string): Promise<void>;
}
