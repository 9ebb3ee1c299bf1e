// Section 4 (Redis): round trips per check and checks per second, Milkyway's Redis store vs
// rate-limiter-flexible's RateLimiterRedis on the same Redis server.
import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import { milkywayRedisCheck } from './ratelimit-redis-milkyway.js';
import { commandStats, countingProxy, perCheck, reachable } from './redis-count.js';
import type { MicroOptions, MicroResult } from './types.js';

const REDIS_PORT = Number(process.env.REDIS_PORT ?? 6379);
const LIMIT = 1_000_000_000;
const WINDOW_MS = 60_000;

type Check = (key: string) => Promise<unknown>;
type Factory = (
  redis: Redis,
  prefix: string,
) => Promise<{ check: Check; close?: () => Promise<void> } | { reason: string }>;

const peers: Record<string, Factory> = {
  'milkyway redis store': (redis, prefix) => milkywayRedisCheck(redis, prefix, LIMIT, WINDOW_MS),
  'rate-limiter-flexible RateLimiterRedis': async (redis, prefix) => {
    const limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: prefix,
      points: LIMIT,
      duration: WINDOW_MS / 1000,
    });
    return { check: (key) => limiter.consume(key) };
  },
};

export async function run(opts: MicroOptions): Promise<MicroResult> {
  if (!(await reachable(REDIS_PORT))) {
    return {
      cases: [],
      notes: [
        `skipped: Redis is not reachable at 127.0.0.1:${REDIS_PORT} (start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no)`,
      ],
    };
  }
  const countChecks = opts.smoke ? 20 : 2000;
  const seconds = opts.smoke ? 0.3 : opts.quick ? 1 : 8;
  const concurrency = 50;
  const admin = new Redis({ port: REDIS_PORT, host: '127.0.0.1', lazyConnect: true });
  await admin.connect();
  const proxy = await countingProxy(REDIS_PORT);
  const results: Record<string, unknown> = {};
  const notes: string[] = [];
  const run = Date.now().toString(36);

  for (const [name, factory] of Object.entries(peers)) {
    // Round trips: through the counting proxy, one check at a time.
    const viaProxy = new Redis({
      port: proxy.port,
      host: '127.0.0.1',
      lazyConnect: true,
      enableAutoPipelining: false,
    });
    await viaProxy.connect();
    const counted = await factory(viaProxy, `bench:rl:${run}:${name.split(' ')[0]}:rt`);
    if ('reason' in counted) {
      notes.push(`${name}: ${counted.reason}`);
      viaProxy.disconnect();
      continue;
    }
    await counted.check('warm');
    proxy.reset();
    const before = await commandStats(admin);
    for (let i = 0; i < countChecks; i++) await counted.check(`k${i % 100}`);
    const after = await commandStats(admin);
    const roundTrips = proxy.writes() / countChecks;
    await counted.close?.();
    viaProxy.disconnect();

    // Throughput: direct connection, `concurrency` checks in flight for `seconds`.
    const direct = new Redis({ port: REDIS_PORT, host: '127.0.0.1', lazyConnect: true });
    await direct.connect();
    const made = await factory(direct, `bench:rl:${run}:${name.split(' ')[0]}:tp`);
    if ('reason' in made) throw new Error(made.reason);
    let checks = 0;
    const end = performance.now() + seconds * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async (_, w) => {
        let j = w;
        while (performance.now() < end) {
          await made.check(`k${j++ % 100}`);
          checks++;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    // Sequential latency: one check at a time.
    const seqN = opts.smoke ? 20 : 3000;
    const t0 = performance.now();
    for (let i = 0; i < seqN; i++) await made.check(`k${i % 100}`);
    const seqUs = ((performance.now() - t0) / seqN) * 1000;
    await made.close?.();
    direct.disconnect();
    results[name] = {
      roundTripsPerCheck: Math.round(roundTrips * 100) / 100,
      commandsPerCheck: perCheck(before, after, countChecks),
      checksPerSecond: checks / elapsed,
      sequentialLatencyUs: seqUs,
    };
  }
  // Clean up our keys.
  const keys = await admin.keys(`bench:rl:${run}:*`);
  if (keys.length) await admin.del(...keys);
  await proxy.close();
  admin.disconnect();
  notes.push(
    `Redis ${REDIS_PORT}: ${countChecks} checks one at a time through a counting proxy; throughput with ${concurrency} checks in flight for ${seconds} s; INFO commandstats counts commands run inside Lua scripts too, so commands/check can exceed round trips.`,
  );
  return { cases: [], extra: { redis: results }, notes };
}
