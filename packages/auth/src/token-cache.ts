import { LRUCache } from 'lru-cache';

/**
 * Options of the verified-token cache.
 *
 * @example
 * ```ts
 * import type { TokenCacheOptions } from '@milkyway/auth';
 *
 * const cache: TokenCacheOptions = { maxEntries: 50_000, maxTtlSeconds: 60 };
 * ```
 */
export interface TokenCacheOptions {
  /** Maximum number of cached tokens. Default 10000. */
  maxEntries?: number;
  /** Maximum total length of the cached tokens, in characters. Default 16 Mi. */
  maxTotalChars?: number;
  /**
   * Longest time (seconds, like the token's `exp`) a verification result is reused, whatever
   * the token's `exp` (bounds how long a token keeps working after its key is withdrawn).
   * Default 300.
   */
  maxTtlSeconds?: number;
}

interface Cached<T> {
  value: T;
  /** epoch ms: the entry is unusable from this instant (never after the token's exp). */
  expiresAt: number;
}

/**
 * @internal A bounded LRU of successful verifications, keyed by the token string itself (a map
 * lookup: no hashing beyond the string hash the map needs). Entries never outlive the token's
 * `exp`; the clock is the verifier's, checked on every hit.
 */
export class TokenCache<T extends {}> {
  readonly #lru: LRUCache<string, Cached<T>>;
  readonly #maxTtlMs: number;
  readonly #clock: () => number;

  constructor(options: TokenCacheOptions, clock: () => number) {
    this.#maxTtlMs = (options.maxTtlSeconds ?? 300) * 1000;
    this.#clock = clock;
    this.#lru = new LRUCache<string, Cached<T>>({
      max: options.maxEntries ?? 10_000,
      maxSize: options.maxTotalChars ?? 16 * 1024 * 1024,
      sizeCalculation: (_value, token) => Math.max(1, token.length),
    });
  }

  get(token: string): T | undefined {
    const hit = this.#lru.get(token);
    if (hit === undefined) return undefined;
    if (this.#clock() >= hit.expiresAt) {
      this.#lru.delete(token);
      return undefined;
    }
    return hit.value;
  }

  /** Caches until min(exp, now + maxTtlSeconds). `expSeconds` is the token's exp claim. */
  set(token: string, value: T, expSeconds: number): void {
    const now = this.#clock();
    const expiresAt = Math.min(expSeconds * 1000, now + this.#maxTtlMs);
    if (expiresAt > now) this.#lru.set(token, { value, expiresAt });
  }

  get size(): number {
    return this.#lru.size;
  }

  clear(): void {
    this.#lru.clear();
  }
}
