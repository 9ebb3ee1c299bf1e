// Section 3: the per-call cost of resilience policies around a call that succeeds at once.
import {
  bulkhead,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
  retry,
  TimeoutStrategy,
  timeout,
  wrap,
} from 'cockatiel';
import CircuitBreaker from 'opossum';
import pRetry from 'p-retry';
import { heapGrowth, skippedCase, timeIt } from './measure.js';
import { milkywayPolicies } from './resilience-milkyway.js';
import type { MicroCase, MicroOptions, MicroResult } from './types.js';

/** The protected call: an async function that succeeds at once. */
const work = async () => 1;

export async function run(opts: MicroOptions): Promise<MicroResult> {
  const cases: MicroCase[] = [];
  const notes: string[] = [];

  // cockatiel: retry(3) + breaker(5 consecutive) + bulkhead(100) + per-attempt timeout(1 s).
  const cockatiel = wrap(
    retry(handleAll, { maxAttempts: 3 }),
    circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
    bulkhead(100, 0),
    timeout(1000, TimeoutStrategy.Cooperative),
  );
  // opossum with its defaults (10 s timeout timer per call, rolling stats and percentiles).
  const opossumDefault = new CircuitBreaker(work);
  // opossum lean: no per-call timer, no percentiles, no snapshots.
  const opossumLean = new CircuitBreaker(work, {
    timeout: false,
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
  });
  const mw = await milkywayPolicies(work);

  cases.push(await timeIt('bare call', () => work(), opts));
  cases.push(
    mw.composed
      ? await timeIt('milkyway composed policy', mw.composed, opts)
      : skippedCase('milkyway composed policy', mw.reason ?? 'not available'),
  );
  cases.push(
    await timeIt(
      'cockatiel wrap(retry, breaker, bulkhead, timeout)',
      () => cockatiel.execute(work),
      opts,
    ),
  );
  cases.push(
    await timeIt('opossum lean (timeout off, no percentiles)', () => opossumLean.fire(), opts),
  );
  cases.push(await timeIt('opossum defaults', () => opossumDefault.fire(), opts));
  cases.push(await timeIt('p-retry defaults', () => pRetry(work), opts));

  // A call rejected by an open breaker.
  const openCockatiel = circuitBreaker(handleAll, {
    halfOpenAfter: 3_600_000,
    breaker: new ConsecutiveBreaker(1),
  });
  await openCockatiel.execute(() => Promise.reject(new Error('boom'))).catch(() => {});
  const openOpossum = new CircuitBreaker(work, { timeout: false, resetTimeout: 3_600_000 });
  openOpossum.open();
  const swallow = (p: Promise<unknown>) =>
    p.then(
      () => {
        throw new Error('an open breaker let a call through');
      },
      () => undefined,
    );
  cases.push(
    mw.openBreaker
      ? await timeIt('milkyway open breaker: rejected call', () => swallow(mw.openBreaker!()), opts)
      : skippedCase('milkyway open breaker: rejected call', mw.reason ?? 'not available'),
  );
  cases.push(
    await timeIt(
      'cockatiel open breaker: rejected call',
      () => swallow(openCockatiel.execute(work)),
      opts,
    ),
  );
  cases.push(
    await timeIt('opossum open breaker: rejected call', () => swallow(openOpossum.fire()), opts),
  );

  // Heap growth under a sustained loop (fresh breakers so earlier stats do not count).
  const seconds = opts.smoke ? 0.2 : opts.quick ? 1.5 : 12;
  const heap: Record<string, { calls: number; growthBytes: number; peakBytes: number }> = {};
  heap['bare call'] = await heapGrowth(work, seconds);
  const mwFresh = await milkywayPolicies(work);
  if (mwFresh.composed)
    heap['milkyway composed policy'] = await heapGrowth(mwFresh.composed, seconds);
  const cockatielFresh = wrap(
    retry(handleAll, { maxAttempts: 3 }),
    circuitBreaker(handleAll, { halfOpenAfter: 10_000, breaker: new ConsecutiveBreaker(5) }),
    bulkhead(1000, 0),
    timeout(1000, TimeoutStrategy.Cooperative),
  );
  heap['cockatiel wrap'] = await heapGrowth(() => cockatielFresh.execute(work), seconds);
  const lean2 = new CircuitBreaker(work, {
    timeout: false,
    rollingPercentilesEnabled: false,
    enableSnapshots: false,
  });
  heap['opossum lean'] = await heapGrowth(() => lean2.fire(), seconds);
  const default2 = new CircuitBreaker(work);
  heap['opossum defaults'] = await heapGrowth(() => default2.fire(), seconds);
  for (const b of [opossumDefault, opossumLean, openOpossum, lean2, default2]) b.shutdown();
  await mw.dispose?.();
  await mwFresh.dispose?.();
  if (mw.reason) notes.push(mw.reason);
  return { cases, extra: { heap, heapSeconds: seconds, milkywayConfig: mw.description }, notes };
}
