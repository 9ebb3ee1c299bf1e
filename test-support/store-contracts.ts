/**
 * The one contract every cache store and rate-limit store must pass. Run by
 * packages/core/test/store-contract-memory.test.ts (memory stores) and by
 * packages/redis/test/store-contract-redis.test.ts (Redis stores, real server). It lives here,
 * not in core's tests, so that another package's tests reach it without a deep import.
 */

import {
  type CacheStore,
  createCache,
  type RateLimitPolicy,
  type RateLimitStore,
  rateLimit,
} from '@milkyway/core';
import { Hono } from 'hono';
import { describe, expect, it, vi } from 'vitest';
import { manualClock } from './manual-clock.js';

/** How a suite gets stores: `instances(n)` = the stores of n service replicas. */
export interface CacheStoreHarness {
  /** The stores of `n` replicas (shared state for Redis, separate memories for memory). */
  instances(n: number): CacheStore[];
  /** Whether replicas share entries (and so coalesce loads across replicas). */
  sharedAcrossInstances: boolean;
}

/** Same for rate-limit stores. */
export interface RateLimitStoreHarness {
  /** The stores of `n` replicas. */
  instances(n: number): RateLimitStore[];
  /** Whether replicas share counts (one limit for all). */
  sharedAcrossInstances: boolean;
}

let unique = 0;
const key = (label: string) => `${label}-${process.pid}-${Date.now()}-${++unique}`;

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export function cacheStoreContract(name: string, harness: () => CacheStoreHarness) {
  describe(`cache store contract: ${name}`, () => {
    const setup = (extra: Partial<Parameters<typeof createCache>[0]> = {}) => {
      const t = manualClock();
      const [store] = harness().instances(1);
      const cache = createCache({
        store: store!,
        ttlMs: 1_000,
        clock: t.clock,
        namespace: key('ns'),
        ...extra,
      });
      return { cache, store: store!, ...t };
    };

    it('returns what was set, as a copy', async () => {
      const { cache } = setup();
      const value = { id: 42, tags: ['a'] };
      await cache.set('k', value);
      const read = await cache.get<typeof value>('k');
      expect(read).toEqual(value);
      expect(read).not.toBe(value);
    });

    it('returns undefined for a key never set', async () => {
      const { cache } = setup();
      expect(await cache.get('absent')).toBeUndefined();
    });

    it('forgets an entry once its ttl has passed', async () => {
      const { cache, advance } = setup();
      await cache.set('k', 'v', { ttlMs: 500 });
      advance(499);
      expect(await cache.get('k')).toBe('v');
      advance(1);
      expect(await cache.get('k')).toBeUndefined();
    });

    it('deletes an entry', async () => {
      const { cache } = setup();
      await cache.set('k', 'v');
      await cache.delete('k');
      expect(await cache.get('k')).toBeUndefined();
    });

    it('keeps namespaces apart on one store', async () => {
      const t = manualClock();
      const [store] = harness().instances(1);
      const a = createCache({ store: store!, ttlMs: 1_000, clock: t.clock, namespace: key('a') });
      const b = createCache({ store: store!, ttlMs: 1_000, clock: t.clock, namespace: key('b') });
      await a.set('k', 'from a');
      expect(await b.get('k')).toBeUndefined();
    });

    it('invalidates every entry of a tag and only those', async () => {
      const { cache } = setup();
      const tag = key('product');
      await cache.set('p1', 1, { tags: [tag] });
      await cache.set('p2', 2, { tags: [tag, key('other')] });
      await cache.set('p3', 3, { tags: [key('other')] });
      await cache.invalidateTag(tag);
      expect(await cache.get('p1')).toBeUndefined();
      expect(await cache.get('p2')).toBeUndefined();
      expect(await cache.get('p3')).toBe(3);
    });

    it('stores new values for a tag after it was invalidated', async () => {
      const { cache } = setup();
      const tag = key('product');
      await cache.invalidateTag(tag);
      await cache.set('p1', 'new', { tags: [tag] });
      expect(await cache.get('p1')).toBe('new');
    });

    it('does not serve a value loaded while its tag was being invalidated', async () => {
      const { cache } = setup();
      const tag = key('product');
      const gate = deferred<string>();
      const started = deferred<void>();
      const loading = cache.getOrLoad(
        'p',
        () => {
          started.resolve();
          return gate.promise;
        },
        { tags: [tag] },
      );
      await started.promise; // the loader runs: the tag versions it will be stored under are read
      await cache.invalidateTag(tag);
      gate.resolve('loaded before the invalidation');
      expect(await loading).toBe('loaded before the invalidation');
      expect(await cache.get('p')).toBeUndefined();
    });

    it('invalidates a tag in every replica that shares the store, and only locally otherwise', async () => {
      const t = manualClock();
      const h = harness();
      const [s1, s2] = h.instances(2);
      const ns = key('ns');
      const a = createCache({ store: s1!, ttlMs: 1_000, clock: t.clock, namespace: ns });
      const b = createCache({ store: s2!, ttlMs: 1_000, clock: t.clock, namespace: ns });
      const tag = key('t');
      await a.set('k', 'v', { tags: [tag] });
      await b.set('k', 'v', { tags: [tag] });
      await b.invalidateTag(tag);
      expect(await a.get('k')).toBe(h.sharedAcrossInstances ? undefined : 'v');
      expect(await b.get('k')).toBeUndefined();
    });

    it('treats a corrupt entry as a miss and reloads it', async () => {
      const { cache, store } = setup({ namespace: 'corrupt-ns' });
      const k = key('k');
      await store.set(`corrupt-ns:${k}`, '{"v":1,"f":"nope"\n{{{', 60_000);
      expect(await cache.get(k)).toBeUndefined();
      expect(await cache.getOrLoad(k, async () => 'fresh')).toBe('fresh');
    });

    it('treats a foreign value under the key as a miss', async () => {
      const { cache, store } = setup({ namespace: 'foreign-ns' });
      const k = key('k');
      await store.set(`foreign-ns:${k}`, 'plain string somebody else wrote', 60_000);
      expect(await cache.get(k)).toBeUndefined();
    });

    it('treats a payload the serializer rejects as a miss', async () => {
      const { cache, store } = setup({ namespace: 'payload-ns' });
      const k = key('k');
      const header = JSON.stringify({ v: 1, f: 9e15, s: 9e15, e: 9e15, c: 0 });
      await store.set(`payload-ns:${k}`, `${header}\n{not json`, 60_000);
      expect(await cache.get(k)).toBeUndefined();
    });

    it('calls the loader once for 100 concurrent misses in one instance', async () => {
      const { cache } = setup();
      const loader = vi.fn(async () => {
        await new Promise((r) => setTimeout(r, 20));
        return 'value';
      });
      const results = await Promise.all(
        Array.from({ length: 100 }, () => cache.getOrLoad('hot', loader)),
      );
      expect(loader).toHaveBeenCalledTimes(1);
      expect(new Set(results)).toEqual(new Set(['value']));
    });

    it('calls the loader once per shared store for 100 concurrent misses across two instances', async () => {
      const t = manualClock();
      const h = harness();
      const [s1, s2] = h.instances(2);
      const ns = key('ns');
      const options = { ttlMs: 10_000, clock: t.clock, namespace: ns, lockPollMs: 5 };
      const a = createCache({ store: s1!, ...options });
      const b = createCache({ store: s2!, ...options });
      const loader = vi.fn(async () => {
        await new Promise((r) => setTimeout(r, 50));
        return 'value';
      });
      const results = await Promise.all(
        Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? a : b).getOrLoad('hot', loader)),
      );
      expect(loader).toHaveBeenCalledTimes(h.sharedAcrossInstances ? 1 : 2);
      expect(new Set(results)).toEqual(new Set(['value']));
    });

    it('serves a stale value within stale-while-revalidate and refreshes it in the background', async () => {
      const { cache, advance } = setup({ staleWhileRevalidateMs: 5_000 });
      await cache.getOrLoad('k', async () => 'v1');
      advance(2_000);
      const refreshed = deferred<void>();
      const loader = vi.fn(async () => {
        refreshed.resolve();
        return 'v2';
      });
      expect(await cache.getOrLoad('k', loader)).toBe('v1');
      await refreshed.promise;
      await vi.waitFor(async () => expect(await cache.get('k')).toBe('v2'));
      expect(loader).toHaveBeenCalledTimes(1);
    });

    it('reloads in the foreground once the stale-while-revalidate window has passed', async () => {
      const { cache, advance } = setup({ staleWhileRevalidateMs: 5_000 });
      await cache.getOrLoad('k', async () => 'v1');
      advance(6_001);
      expect(await cache.getOrLoad('k', async () => 'v2')).toBe('v2');
    });

    it('serves a stale value when the loader fails within stale-if-error', async () => {
      const { cache, advance } = setup({ staleIfErrorMs: 10_000 });
      await cache.getOrLoad('k', async () => 'old');
      advance(5_000);
      expect(await cache.getOrLoad('k', async () => Promise.reject(new Error('db down')))).toBe(
        'old',
      );
    });

    it('rethrows the loader error when no stale value may be served, and retries next time', async () => {
      const { cache, advance } = setup({ staleIfErrorMs: 1_000 });
      await cache.getOrLoad('k', async () => 'old');
      advance(2_001);
      await expect(
        cache.getOrLoad('k', async () => Promise.reject(new Error('db down'))),
      ).rejects.toThrow('db down');
      expect(await cache.getOrLoad('k', async () => 'new')).toBe('new');
    });

    it('does not cache undefined', async () => {
      const { cache } = setup();
      const loader = vi.fn(async () => undefined);
      await cache.getOrLoad('k', loader);
      await cache.getOrLoad('k', loader);
      expect(loader).toHaveBeenCalledTimes(2);
    });
  });
}

export function lockContract(name: string, harness: () => CacheStoreHarness) {
  describe(`cache store lock contract: ${name}`, () => {
    it('gives a lock to one holder at a time and releases it by token only', async () => {
      const [store] = harness().instances(1);
      const k = key('lock');
      const token = await store!.acquireLock!(k, 5_000);
      expect(token).toBeTypeOf('string');
      expect(await store!.acquireLock!(k, 5_000)).toBeUndefined();
      await store!.releaseLock!(k, 'someone-else');
      expect(await store!.acquireLock!(k, 5_000)).toBeUndefined();
      await store!.releaseLock!(k, token!);
      expect(await store!.acquireLock!(k, 5_000)).toBeTypeOf('string');
    });

    it('loads anyway once a crashed holder’s lock expires', async () => {
      const [store] = harness().instances(1);
      const ns = key('ns');
      // A replica took the lock and died without releasing it.
      await store!.acquireLock!(`lock:${ns}:k`, 150);
      const cache = createCache({
        store: store!,
        ttlMs: 10_000,
        namespace: ns,
        lockPollMs: 10,
        lockWaitMs: 5_000,
      });
      const loader = vi.fn(async () => 'loaded');
      expect(await cache.getOrLoad('k', loader)).toBe('loaded');
      expect(loader).toHaveBeenCalledTimes(1);
    });
  });
}

const POLICY: RateLimitPolicy = { limit: 5, windowMs: 1_000, burst: 5 };

export function rateLimitStoreContract(name: string, harness: () => RateLimitStoreHarness) {
  describe(`rate-limit store contract: ${name}`, () => {
    const check = async (
      store: RateLimitStore,
      k: string,
      now: number,
      policy = POLICY,
      cost = 1,
    ) => store.check(k, policy, cost, now);

    it('admits a burst of limit requests at once and rejects the next', async () => {
      const [store] = harness().instances(1);
      const k = key('rl');
      const now = 1_700_000_000_000;
      const decisions = [];
      for (let i = 0; i < 6; i++) decisions.push(await check(store!, k, now));
      expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false]);
    });

    it('counts remaining requests down to zero', async () => {
      const [store] = harness().instances(1);
      const k = key('rl');
      const now = 1_700_000_000_000;
      const remaining = [];
      for (let i = 0; i < 5; i++) remaining.push((await check(store!, k, now)).remaining);
      expect(remaining).toEqual([4, 3, 2, 1, 0]);
    });

    it('tells a rejected request how long until it would pass', async () => {
      const [store] = harness().instances(1);
      const k = key('rl');
      const now = 1_700_000_000_000;
      for (let i = 0; i < 5; i++) await check(store!, k, now);
      const rejected = await check(store!, k, now);
      expect(rejected.allowed).toBe(false);
      expect(rejected.retryAfterMs).toBeCloseTo(200, 3);
      expect(rejected.resetMs).toBeCloseTo(1_000, 3);
    });

    it('admits one more request per emission interval, never a second burst at a window edge', async () => {
      const [store] = harness().instances(1);
      const k = key('rl');
      const start = 1_700_000_000_000;
      for (let i = 0; i < 5; i++) await check(store!, k, start);
      // At the edge of the first window only the refilled units pass, not a fresh burst of 5.
      const edge = [];
      for (let i = 0; i < 5; i++) edge.push((await check(store!, k, start + 1_000)).allowed);
      expect(edge.filter(Boolean)).toHaveLength(5);
      const after = [];
      for (let i = 0; i < 5; i++) after.push((await check(store!, k, start + 1_001)).allowed);
      expect(after.filter(Boolean)).toHaveLength(0);
      expect((await check(store!, k, start + 1_200)).allowed).toBe(true);
    });

    it('does not count rejected requests', async () => {
      const [store] = harness().instances(1);
      const k = key('rl');
      const start = 1_700_000_000_000;
      for (let i = 0; i < 20; i++) await check(store!, k, start);
      expect((await check(store!, k, start + 200)).allowed).toBe(true);
    });

    it('limits keys independently', async () => {
      const [store] = harness().instances(1);
      const a = key('a');
      const b = key('b');
      const now = 1_700_000_000_000;
      for (let i = 0; i < 5; i++) await check(store!, a, now);
      expect((await check(store!, a, now)).allowed).toBe(false);
      expect((await check(store!, b, now)).allowed).toBe(true);
    });

    it('spaces requests evenly with burst 1', async () => {
      const [store] = harness().instances(1);
      const k = key('rl');
      const now = 1_700_000_000_000;
      const smooth = { limit: 5, windowMs: 1_000, burst: 1 };
      expect((await check(store!, k, now, smooth)).allowed).toBe(true);
      expect((await check(store!, k, now + 100, smooth)).allowed).toBe(false);
      expect((await check(store!, k, now + 200, smooth)).allowed).toBe(true);
    });

    it('charges the given cost', async () => {
      const [store] = harness().instances(1);
      const k = key('rl');
      const now = 1_700_000_000_000;
      expect((await check(store!, k, now, POLICY, 3)).remaining).toBe(2);
      expect((await check(store!, k, now, POLICY, 3)).allowed).toBe(false);
    });

    it('forgets a key on reset', async () => {
      const [store] = harness().instances(1);
      const k = key('rl');
      const now = 1_700_000_000_000;
      for (let i = 0; i < 5; i++) await check(store!, k, now);
      await store!.reset(k);
      expect((await check(store!, k, now)).allowed).toBe(true);
    });

    it('never admits more than the limit across two app instances under concurrent requests', async () => {
      const h = harness();
      const [s1, s2] = h.instances(2);
      const limit = 20;
      const name = key('concurrent').replace(/[^A-Za-z0-9_.:-]/g, '-');
      const app = (store: RateLimitStore) => {
        const a = new Hono();
        a.use(rateLimit({ name, limit, windowMs: 60_000, store, key: () => 'client' }));
        a.get('/', (c) => c.text('ok'));
        a.onError((err, c) => c.text('limited', (err as { status?: 429 }).status ?? 500));
        return a;
      };
      const apps = [app(s1!), app(s2!)];
      const responses = await Promise.all(
        Array.from({ length: 100 }, (_, i) => apps[i % 2]!.request('/')),
      );
      const admitted = responses.filter((r) => r.status === 200).length;
      const limited = responses.filter((r) => r.status === 429).length;
      expect(admitted + limited).toBe(100);
      expect(admitted).toBe(h.sharedAcrossInstances ? limit : 2 * limit);
    });
  });
}
