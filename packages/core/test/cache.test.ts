import type { DataPoint } from '@opentelemetry/sdk-metrics';
import { describe, expect, it, vi } from 'vitest';
import {
  type CacheStore,
  createCache,
  memoryStore,
  type Serializer,
  silentLogger,
} from '../src/index.js';
import { installMetricReader, manualClock } from './support.js';

const { exporter, reader } = installMetricReader();

const downStore: CacheStore = {
  get: () => Promise.reject(new Error('ECONNREFUSED')),
  set: () => Promise.reject(new Error('ECONNREFUSED')),
  delete: () => Promise.reject(new Error('ECONNREFUSED')),
  tagVersions: () => Promise.reject(new Error('ECONNREFUSED')),
  bumpTag: () => Promise.reject(new Error('ECONNREFUSED')),
};

describe('createCache', () => {
  it('counts hits, misses and stale reads in milkyway.cache.requests', async () => {
    const { clock, advance } = manualClock();
    const cache = createCache({
      namespace: 'metered',
      ttlMs: 1_000,
      staleWhileRevalidateMs: 1_000,
      clock,
    });
    await cache.getOrLoad('k', async () => 1); // miss
    await cache.getOrLoad('k', async () => 1); // hit
    advance(1_500);
    await cache.getOrLoad('k', async () => 2); // stale
    await reader.forceFlush();
    const points = exporter
      .getMetrics()
      .flatMap((m) => m.scopeMetrics)
      .filter((s) => s.scope.name === '@milkyway/core')
      .flatMap((s) => s.metrics)
      .filter((m) => m.descriptor.name === 'milkyway.cache.requests')
      .flatMap((m) => m.dataPoints as DataPoint<number>[])
      .filter((p) => p.attributes['milkyway.cache.namespace'] === 'metered');
    const byResult = Object.fromEntries(
      points.map((p) => [p.attributes['milkyway.cache.result'], p.value]),
    );
    expect(byResult).toEqual({ miss: 1, hit: 1, stale: 1 });
  });

  it('refreshes a stale entry once however many readers see it stale', async () => {
    const { clock, advance } = manualClock();
    const cache = createCache({ ttlMs: 1_000, staleWhileRevalidateMs: 10_000, clock });
    await cache.getOrLoad('k', async () => 'v1');
    advance(2_000);
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const loader = vi.fn(async () => {
      await gate;
      return 'v2';
    });
    const reads = await Promise.all(Array.from({ length: 20 }, () => cache.getOrLoad('k', loader)));
    expect(new Set(reads)).toEqual(new Set(['v1']));
    release();
    await vi.waitFor(async () => expect(await cache.get('k')).toBe('v2'));
    expect(loader).toHaveBeenCalledTimes(1);
  });

  it('logs a failed background refresh and keeps serving the stale value', async () => {
    const { clock, advance } = manualClock();
    const warn = vi.fn();
    const cache = createCache({
      ttlMs: 1_000,
      staleWhileRevalidateMs: 10_000,
      clock,
      logger: { warn, info() {}, debug() {} },
    });
    await cache.getOrLoad('k', async () => 'v1');
    advance(2_000);
    expect(await cache.getOrLoad('k', async () => Promise.reject(new Error('boom')))).toBe('v1');
    await vi.waitFor(() =>
      expect(warn).toHaveBeenCalledWith(expect.anything(), 'background cache refresh failed'),
    );
    expect(await cache.getOrLoad('k', async () => 'v3')).toBe('v1');
  });

  it('treats an unreachable store as a miss and calls the loader', async () => {
    const warn = vi.fn();
    const cache = createCache({
      store: downStore,
      ttlMs: 1_000,
      logger: { warn, info() {}, debug() {} },
    });
    expect(await cache.getOrLoad('k', async () => 'from the source')).toBe('from the source');
    expect(await cache.get('k')).toBeUndefined();
    expect(warn).toHaveBeenCalled();
  });

  it('reports a failed invalidation to the caller', async () => {
    const cache = createCache({ store: downStore, ttlMs: 1_000 });
    await expect(cache.invalidateTag('t')).rejects.toThrow('ECONNREFUSED');
  });

  it('uses a pluggable serializer', async () => {
    const serializer: Serializer = {
      serialize: (v) => `wrapped:${JSON.stringify(v)}`,
      deserialize: (text) => {
        if (!text.startsWith('wrapped:')) throw new Error('foreign');
        return JSON.parse(text.slice(8));
      },
    };
    const store = memoryStore();
    const cache = createCache({ store, ttlMs: 1_000, serializer });
    await cache.set('k', { a: 1 });
    expect(await cache.get('k')).toEqual({ a: 1 });
    const plain = createCache({ store, ttlMs: 1_000 });
    expect(await plain.get('k')).toBeUndefined();
  });

  it('skips values the serializer cannot encode without throwing', async () => {
    const cache = createCache({ ttlMs: 1_000 });
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    await expect(cache.set('k', circular)).resolves.toBeUndefined();
    expect(await cache.get('k')).toBeUndefined();
  });

  it('keeps a tagged entry no longer than the tag retention', async () => {
    const { clock, advance } = manualClock();
    const store = memoryStore({ clock });
    const cache = createCache({ store, ttlMs: 10_000, tagRetentionMs: 1_000, clock });
    await cache.set('k', 'v', { tags: ['t'] });
    advance(1_001);
    expect(await store.get('k')).toBeUndefined();
  });

  it('takes core’s Logger as its logger', async () => {
    const cache = createCache({ ttlMs: 1_000, logger: silentLogger });
    expect(await cache.getOrLoad('k', async () => 1)).toBe(1);
  });

  it('refuses a ttl that is not positive', () => {
    expect(() => createCache({ ttlMs: 0 })).toThrow(TypeError);
  });

  it('waits for another replica’s load instead of loading twice', async () => {
    // A store with locks, as Redis has; here a memory store plus a lock map shared by two caches.
    const locks = new Map<string, string>();
    const base = memoryStore();
    const store: CacheStore = {
      ...base,
      async acquireLock(key) {
        if (locks.has(key)) return undefined;
        locks.set(key, 'token');
        return 'token';
      },
      async releaseLock(key, token) {
        if (locks.get(key) === token) locks.delete(key);
      },
    };
    vi.useFakeTimers();
    try {
      const a = createCache({ store, ttlMs: 10_000, lockPollMs: 10 });
      const b = createCache({ store, ttlMs: 10_000, lockPollMs: 10 });
      const loader = vi.fn(
        () => new Promise<string>((resolve) => setTimeout(() => resolve('v'), 100)),
      );
      const both = Promise.all([a.getOrLoad('k', loader), b.getOrLoad('k', loader)]);
      await vi.advanceTimersByTimeAsync(200);
      expect(await both).toEqual(['v', 'v']);
      expect(loader).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it('loads itself when another replica holds the lock past the wait limit', async () => {
    const base = memoryStore();
    const store: CacheStore = {
      ...base,
      acquireLock: async () => undefined,
      releaseLock: async () => {},
    };
    vi.useFakeTimers();
    try {
      const cache = createCache({ store, ttlMs: 10_000, lockPollMs: 10, lockWaitMs: 100 });
      const result = cache.getOrLoad('k', async () => 'loaded here');
      await vi.advanceTimersByTimeAsync(150);
      expect(await result).toBe('loaded here');
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('memoryStore', () => {
  it('keeps at most maxEntries, dropping the least recently used', async () => {
    const store = memoryStore({ maxEntries: 2 });
    await store.set('a', '1', 1_000);
    await store.set('b', '2', 1_000);
    await store.get('a');
    await store.set('c', '3', 1_000);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toBe('1');
  });

  it('keeps at most maxSizeBytes', async () => {
    const store = memoryStore({ maxSizeBytes: 100 });
    await store.set('a', 'x'.repeat(30), 1_000);
    await store.set('b', 'y'.repeat(30), 1_000);
    expect(await store.get('a')).toBeUndefined();
    expect(await store.get('b')).toBe('y'.repeat(30));
  });

  it('expires entries by its clock', async () => {
    const { clock, advance } = manualClock();
    const store = memoryStore({ clock });
    await store.set('a', '1', 100);
    advance(101);
    expect(await store.get('a')).toBeUndefined();
  });
});

describe('createCache getShared', () => {
  it('returns one deep-frozen value for every read of the same stored bytes', async () => {
    const cache = createCache({ ttlMs: 60_000 });
    await cache.set('k', { list: [{ id: 1 }] });
    const a = await cache.getShared<{ list: { id: number }[] }>('k');
    const b = await cache.getShared<{ list: { id: number }[] }>('k');
    expect(b).toBe(a);
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(a?.list[0])).toBe(true);
  });

  it('returns the new value after a set and nothing after a delete', async () => {
    const cache = createCache({ ttlMs: 60_000 });
    await cache.set('k', { v: 1 });
    expect(await cache.getShared('k')).toEqual({ v: 1 });
    await cache.set('k', { v: 2 });
    expect(await cache.getShared('k')).toEqual({ v: 2 });
    await cache.delete('k');
    expect(await cache.getShared('k')).toBeUndefined();
  });

  it('leaves get’s values unshared and mutable', async () => {
    const cache = createCache({ ttlMs: 60_000 });
    await cache.set('k', { v: 1 });
    await cache.getShared('k');
    const own = await cache.get<{ v: number }>('k');
    expect(Object.isFrozen(own)).toBe(false);
    expect(own).not.toBe(await cache.getShared('k'));
  });

  it('treats a value under an invalidated tag as a miss', async () => {
    const cache = createCache({ ttlMs: 60_000 });
    await cache.set('k', { v: 1 }, { tags: ['t'] });
    expect(await cache.getShared('k')).toEqual({ v: 1 });
    await cache.invalidateTag('t');
    expect(await cache.getShared('k')).toBeUndefined();
  });
});
