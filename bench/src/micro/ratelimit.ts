// Section 4 (memory): the cost of one rate-limit check that admits the request.
import { createRequire } from 'node:module';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { timeIt } from './measure.js';
import { milkywayMemoryCheck } from './ratelimit-milkyway.js';
import type { MicroCase, MicroOptions, MicroResult } from './types.js';

const KEYS = Array.from({ length: 100 }, (_, i) => `client-${i}`);
const LIMIT = 1_000_000_000;
const WINDOW_MS = 60_000;

export async function run(opts: MicroOptions): Promise<MicroResult> {
  const cases: MicroCase[] = [];
  const notes: string[] = [];
  let i = 0;
  const nextKey = () => KEYS[i++ % KEYS.length]!;

  const mw = await milkywayMemoryCheck(LIMIT, WINDOW_MS);
  if (mw.check) {
    const check = mw.check;
    cases.push(
      await timeIt('milkyway rateLimit check (memory store)', () => check(nextKey()), opts),
    );
    const checkAsync = mw.checkAsync!;
    cases.push(
      await timeIt('milkyway check awaited as a promise', () => checkAsync(nextKey()), opts),
    );
  } else {
    cases.push({
      name: 'milkyway rateLimit check (memory store)',
      avgNs: Number.NaN,
      p50Ns: Number.NaN,
      samples: 0,
      skipped: mw.reason,
    });
    if (mw.reason) notes.push(mw.reason);
  }

  const rlf = new RateLimiterMemory({ points: LIMIT, duration: WINDOW_MS / 1000 });
  cases.push(
    await timeIt(
      'rate-limiter-flexible RateLimiterMemory.consume',
      () => rlf.consume(nextKey()),
      opts,
    ),
  );

  // @fastify/rate-limit's LocalStore, driven directly (callback API, as the plugin calls it).
  const require = createRequire(import.meta.url);
  type Incr = (
    key: string,
    cb: (err: Error | null, r: unknown) => void,
    tw: number,
    max: number,
  ) => void;
  const LocalStore = require('@fastify/rate-limit/store/LocalStore.js') as new (
    continueExceeding: boolean,
    exponentialBackoff: boolean,
    cache?: number,
  ) => { incr: Incr };
  const local = new LocalStore(false, false, 5000);
  const localCheck = (key: string) =>
    new Promise((resolve, reject) =>
      local.incr(key, (err, r) => (err ? reject(err) : resolve(r)), WINDOW_MS, LIMIT),
    );
  cases.push(
    await timeIt(
      '@fastify/rate-limit LocalStore.incr (as a promise)',
      () => localCheck(nextKey()),
      opts,
    ),
  );
  cases.push(
    await timeIt(
      '@fastify/rate-limit LocalStore.incr (callback, sync)',
      () => local.incr(nextKey(), () => {}, WINDOW_MS, LIMIT),
      opts,
    ),
  );
  if (mw.description) notes.push(mw.description);
  return { cases, notes };
}
