import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type BreakerState,
  BulkheadRejectedError,
  bulkhead,
  circuitBreaker,
} from '../src/index.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

const flush = () => vi.advanceTimersByTimeAsync(0);

interface Pending {
  probe?: boolean;
  resolve: () => void;
  reject: (e: unknown) => void;
  abort: () => void;
  done: boolean;
}

// ---------------------------------------------------------------------------------------------
// Circuit breaker: random successes, failures, aborts and time steps.
// ---------------------------------------------------------------------------------------------

const MIN_CALLS = 3;
const RESET_MS = 1_000;
const LEGAL = new Set(['closed>open', 'open>half-open', 'half-open>closed', 'half-open>open']);

interface BreakerReal {
  breaker: ReturnType<typeof circuitBreaker>;
  pending: Pending[];
  transitions: string[];
  openedAt: number;
  countedSinceClose: number;
  inFlightHalfOpen: number;
  probeSucceeded: boolean;
  violations: string[];
}

type BreakerCmd = fc.AsyncCommand<object, BreakerReal>;

const startCall: BreakerCmd = {
  check: () => true,
  async run(_m, r) {
    const stateBefore: BreakerState = r.breaker.state;
    let called = false;
    const controller = new AbortController();
    const entry: Pending = {
      resolve: () => {},
      reject: () => {},
      abort: () => controller.abort(),
      done: false,
    };
    const call = r.breaker.execute(
      ({ signal }) => {
        called = true;
        if (stateBefore === 'closed') r.countedSinceClose++;
        if (stateBefore === 'half-open') r.inFlightHalfOpen++;
        return new Promise<void>((resolve, reject) => {
          entry.resolve = resolve;
          entry.reject = reject;
          signal.addEventListener('abort', () => reject(signal.reason));
        });
      },
      { signal: controller.signal },
    );
    call.then(
      () => {
        entry.done = true;
      },
      () => {
        entry.done = true;
      },
    );
    if (stateBefore === 'open' && called) r.violations.push('an open breaker called the function');
    if (r.inFlightHalfOpen > 1) r.violations.push('more than one probe while half-open');
    entry.probe = stateBefore === 'half-open';
    if (called) r.pending.push(entry);
    await flush();
  },
  toString: () => 'start',
};

const settle = (how: 'resolve' | 'reject' | 'abort', index: number): BreakerCmd => ({
  check: () => true,
  async run(_m, r) {
    const live = r.pending.filter((p) => !p.done);
    const target = live[index % Math.max(1, live.length)];
    if (target === undefined) return;
    if (how === 'resolve') {
      if (target.probe) r.probeSucceeded = true;
      target.resolve();
    } else if (how === 'reject') target.reject(new Error('dependency failed'));
    else target.abort();
    await flush();
    if (target.probe && r.inFlightHalfOpen > 0) r.inFlightHalfOpen--;
    if (r.breaker.state !== 'half-open') r.inFlightHalfOpen = 0;
  },
  toString: () => `${how}(${index})`,
});

const advance = (ms: number): BreakerCmd => ({
  check: () => true,
  async run() {
    await vi.advanceTimersByTimeAsync(ms);
  },
  toString: () => `advance(${ms})`,
});

describe('circuit breaker model', () => {
  it('only takes legal transitions, never calls the function while open, and closes only on a successful probe', async () => {
    // Weighted so that runs reach open, half-open and back often.
    const commands = [
      fc.constant(startCall),
      fc.constant(startCall),
      fc.constant(startCall),
      fc.nat(20).map((i) => settle('resolve', i)),
      fc.nat(20).map((i) => settle('reject', i)),
      fc.nat(20).map((i) => settle('reject', i)),
      fc.nat(20).map((i) => settle('abort', i)),
      fc.integer({ min: 1, max: 1_500 }).map(advance),
    ];
    const edges: string[] = [];
    (globalThis as { __edges?: string[] }).__edges = edges;
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { size: 'large', maxCommands: 120 }), async (cmds) => {
        const breaker = circuitBreaker({
          minimumCalls: MIN_CALLS,
          failureRateThreshold: 50,
          resetTimeoutMs: RESET_MS,
          windowMs: 60_000,
        });
        const real: BreakerReal = {
          breaker,
          pending: [],
          transitions: [],
          openedAt: 0,
          countedSinceClose: 0,
          inFlightHalfOpen: 0,
          probeSucceeded: false,
          violations: [],
        };
        breaker.on('stateChange', ({ from, to }) => {
          const edge = `${from}>${to}`;
          if (!LEGAL.has(edge)) real.violations.push(`illegal ${edge}`);
          if (edge === 'closed>open' && real.countedSinceClose < MIN_CALLS) {
            real.violations.push(`opened after ${real.countedSinceClose} calls`);
          }
          if (edge === 'open>half-open' && Date.now() - real.openedAt < RESET_MS) {
            real.violations.push('half-opened before the reset timeout');
          }
          if (edge === 'half-open>closed' && !real.probeSucceeded) {
            real.violations.push('closed without a successful probe');
          }
          real.probeSucceeded = false;
          if (to === 'open') real.openedAt = Date.now();
          if (to === 'closed') real.countedSinceClose = 0;
          if (to !== 'half-open') real.inFlightHalfOpen = 0;
          real.transitions.push(edge);
        });
        await fc.asyncModelRun(() => ({ model: {}, real }), cmds);
        const violations = [...real.violations];
        (globalThis as { __edges?: string[] }).__edges?.push(...real.transitions);
        breaker.dispose();
        for (const p of real.pending) if (!p.done) p.resolve();
        await flush();
        expect(violations).toEqual([]);
      }),
      { numRuns: 150 },
    );
    // The runs did exercise every legal transition.
    for (const edge of LEGAL) expect(edges).toContain(edge);
  });
});

// ---------------------------------------------------------------------------------------------
// Bulkhead: random starts, completions and aborts.
// ---------------------------------------------------------------------------------------------

const MAX = 2;
const QUEUE = 3;

interface PoolModel {
  running: number[];
  queue: number[];
  next: number;
}
interface PoolReal {
  pool: ReturnType<typeof bulkhead>;
  started: number[];
  calls: Map<number, Pending & { rejectedAtOnce: boolean; settled: boolean }>;
}
type PoolCmd = fc.AsyncCommand<PoolModel, PoolReal>;

function admitFromQueue(m: PoolModel) {
  while (m.running.length < MAX && m.queue.length > 0) m.running.push(m.queue.shift()!);
}

const poolStart: PoolCmd = {
  check: () => true,
  async run(m, r) {
    const id = m.next++;
    const controller = new AbortController();
    const entry = {
      resolve: () => {},
      reject: () => {},
      abort: () => controller.abort(new Error('aborted')),
      done: false,
      rejectedAtOnce: false,
      settled: false,
    };
    r.calls.set(id, entry);
    const call = r.pool.execute(
      () => {
        r.started.push(id);
        return new Promise<void>((resolve) => {
          entry.resolve = resolve;
        });
      },
      { signal: controller.signal },
    );
    call.then(
      () => {
        entry.settled = true;
      },
      (e: unknown) => {
        entry.settled = true;
        if (BulkheadRejectedError.is(e)) entry.rejectedAtOnce = true;
      },
    );
    await flush();
    if (m.running.length < MAX) m.running.push(id);
    else if (m.queue.length < QUEUE) m.queue.push(id);
    else expect(entry.rejectedAtOnce).toBe(true);
    check(m, r);
  },
  toString: () => 'start',
};

const poolFinish = (index: number): PoolCmd => ({
  check: (m) => m.running.length > 0,
  async run(m, r) {
    const id = m.running[index % m.running.length]!;
    m.running = m.running.filter((x) => x !== id);
    r.calls.get(id)!.resolve();
    await flush();
    admitFromQueue(m);
    check(m, r);
  },
  toString: () => `finish(${index})`,
});

const poolAbortQueued = (index: number): PoolCmd => ({
  check: (m) => m.queue.length > 0,
  async run(m, r) {
    const id = m.queue[index % m.queue.length]!;
    m.queue = m.queue.filter((x) => x !== id);
    r.calls.get(id)!.abort();
    await flush();
    expect(r.calls.get(id)!.settled).toBe(true);
    check(m, r);
  },
  toString: () => `abortQueued(${index})`,
});

function check(m: PoolModel, r: PoolReal) {
  expect(r.pool.active).toBeLessThanOrEqual(MAX);
  expect(r.pool.active).toBe(m.running.length);
  expect(r.pool.queued).toBe(m.queue.length);
  // FIFO: functions started in exactly the order the model admitted them.
  expect(new Set(r.started)).toEqual(new Set([...r.started]));
  for (const id of m.running) expect(r.started).toContain(id);
  for (const id of m.queue) expect(r.started).not.toContain(id);
}

describe('bulkhead model', () => {
  it('never runs more than maxConcurrent, keeps FIFO order and frees aborted queue places', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.commands(
          [
            fc.constant(poolStart),
            fc.constant(poolStart),
            fc.nat(10).map(poolFinish),
            fc.nat(10).map(poolAbortQueued),
          ],
          { size: 'large', maxCommands: 120 },
        ),
        async (cmds) => {
          const real: PoolReal = {
            pool: bulkhead({ maxConcurrent: MAX, maxQueue: QUEUE }),
            started: [],
            calls: new Map(),
          };
          const model: PoolModel = { running: [], queue: [], next: 0 };
          const admitted: number[] = [];
          await fc.asyncModelRun(() => ({ model, real }), cmds);
          admitted.push(...real.started);
          // Start order is increasing among calls that were not aborted: FIFO.
          expect([...admitted]).toEqual([...admitted].sort((a, b) => a - b));
        },
      ),
      { numRuns: 150 },
    );
  });
});
