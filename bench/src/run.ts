// npm run bench [-- --quick] [-- --sections=1,2,3,4,5,6,7,8,jwt,events,profile,messaging] [-- --reps=3 --duration=8]
// Prints a markdown table (every figure a ratio against a peer measured in the same run) and
// writes it to results/latest.md (+ latest.json).

import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gatewaySection } from './gateway/section.js';
import { packagesBuild } from './lib/builds.js';
import { compare, type Measured, type RunConfig, type TokenSource } from './lib/compare.js';
import { runLoad } from './lib/load.js';
import { runMicro } from './lib/micro.js';
import { RESULTS_DIR } from './lib/paths.js';
import { pinLoadGenerator, pinning } from './lib/pin.js';
import { startServer } from './lib/proc.js';
import { selfByArea, topSelfFrames } from './lib/profile.js';
import {
  int,
  mib,
  ns,
  pairedRatio,
  ratio,
  ratioSpread,
  rps,
  type Spread,
  table,
} from './lib/stats.js';
import { CACHE, jwtSubjects, KERNEL, REALISTIC, TRACING } from './lib/subjects.js';
import { generateKey, keyEnv, signTokens } from './lib/tokens.js';
import { peerVersions } from './lib/versions.js';
import { messagingSection } from './messaging/section.js';
import type { MicroCase, MicroResult } from './micro/types.js';
import { relaySection } from './relay/section.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const sectionsArg = argv.find((a) => a.startsWith('--sections='))?.slice('--sections='.length);
const ALL = ['1', '2', '3', '4', '5', '6', '7', '8', 'jwt', 'events', 'profile', 'messaging'];
const QUICK = ['1', '2', '3', '4', '5', '6', '7'];
const sections = new Set(sectionsArg ? sectionsArg.split(',') : quick ? QUICK : ALL);
const base: RunConfig = quick
  ? { warmupS: 0.5, durationS: 1.5, repetitions: 1, connections: 10 }
  : // more, shorter interleaved runs: a burst of load from elsewhere spoils one short run, not a third of the data
    { warmupS: 2, durationS: 4, repetitions: 6, connections: 10 };
const flag = (name: string) => {
  const v = argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  return v === undefined ? undefined : Number(v);
};
/** --reps=N and --duration=S override the repetitions and the run length (e.g. on a noisy machine). */
const cfg: RunConfig = {
  ...base,
  repetitions: flag('reps') ?? base.repetitions,
  durationS: flag('duration') ?? base.durationS,
};

const pinned = pinLoadGenerator();
const started = Date.now();
const log = (line: string) => process.stderr.write(`${line}\n`);

/** A goal from issue 10 (or the package issues) and whether this run met it. */
interface Goal {
  section: string;
  goal: string;
  measured: string;
  met: boolean | undefined;
  note?: string;
}
const goals: Goal[] = [];
const out: string[] = [];
const json: Record<string, unknown> = {};

const es256 = generateKey('ES256');
const rs256 = generateKey('RS256');
const env = keyEnv(es256, rs256);

/** A pool of 10 tokens reused round-robin: 10 clients each keeping its token. */
const reusedPool = (key = es256): TokenSource => {
  const pool = signTokens(key, 10);
  return () => {
    let i = 0;
    return { next: () => pool[i++ % pool.length]!, wrapped: () => false };
  };
};

const by = (ms: Measured[], entry: string, scenario?: string) =>
  ms.find((m) => m.subject.entry === entry && (!scenario || m.subject.scenario === scenario));
const med = (m?: Measured) => m?.rps?.median ?? Number.NaN;
/** a/b over paired interleaved runs, with its spread. */
const paired = (a?: Measured, b?: Measured) => pairedRatio(a?.runs, b?.runs);

function httpTable(ms: Measured[], refs: { label: string; m?: Measured }[]): string {
  return table(
    [
      'Server',
      'req/s median (min–max)',
      ...refs.map((r) => `vs ${r.label}`),
      'non-2xx / errors',
      'RSS after load',
      'load generator CPU (max, cores)',
    ],
    ms.map((m) =>
      m.error || !m.rps
        ? [m.subject.label, m.error ?? 'not measured', ...refs.map(() => '—'), '—', '—', '—']
        : [
            m.subject.label,
            rps(m.rps),
            ...refs.map((r) => ratioSpread(paired(m, r.m))),
            `${int(m.non2xx)} / ${int(m.errors)} of ${int(m.total)}`,
            mib(m.rssAfterLoad ?? Number.NaN),
            m.clientCpuMax === undefined
              ? '—'
              : `${m.clientCpuMax.toFixed(2)}${m.clientCpuMax >= 0.9 ? ' (client-bound)' : ''}`,
          ],
    ),
  );
}

/**
 * Records a goal. Given a spread (a paired ratio over the runs), it counts as met only when the
 * whole spread meets it: the lower bound for `>=`, the upper bound for `<=`.
 */
function goal(
  section: string,
  text: string,
  measuredValue: number | Spread | undefined,
  target: number,
  cmp: '>=' | '<=',
  shown: string,
  note?: string,
) {
  const value =
    measuredValue === undefined
      ? Number.NaN
      : typeof measuredValue === 'number'
        ? measuredValue
        : cmp === '>='
          ? measuredValue.min
          : measuredValue.max;
  const met = Number.isFinite(value)
    ? cmp === '>='
      ? value >= target
      : value <= target
    : undefined;
  goals.push({
    section,
    goal: text,
    measured: Number.isFinite(value) ? shown : 'not measured',
    met,
    note,
  });
  return met;
}

const realisticJson: Record<string, Measured[]> = {};
const jwtJson: Record<string, Measured[]> = {};
json.realistic = realisticJson;
json.jwt = jwtJson;

const memory: { section: string; m: Measured }[] = [];

async function section1() {
  log('§1 kernel hello');
  const ms = await compare(KERNEL, cfg, { env, log });
  json.kernel = ms;
  const hono = by(ms, 'hono');
  const node = by(ms, 'node-http');
  out.push(
    '## 1. Kernel: hello route\n',
    httpTable(ms, [
      { label: 'bare Hono', m: hono },
      { label: 'node:http', m: node },
    ]),
    '',
  );
  const r = paired(by(ms, 'milkyway', 'hello'), hono);
  goal(
    '1',
    'createService hello >= 0.95x bare Hono (issue 10; issue 3 asks >= 0.90x)',
    r,
    0.95,
    '>=',
    ratioSpread(r),
  );
  for (const m of ms) memory.push({ section: 'hello', m });
}

async function section2() {
  const poolSeconds = cfg.warmupS + cfg.durationS * cfg.repetitions;
  const freshCount = Math.ceil(13_000 * poolSeconds);
  log(`§2 realistic route: signing ${freshCount} fresh ES256 tokens`);
  const fresh = signTokens(es256, freshCount);
  const freshSource: TokenSource = () => {
    let i = 0;
    return { next: () => fresh[i++ % fresh.length]!, wrapped: () => i > fresh.length };
  };
  out.push(
    '## 2. Realistic route: GET /orders/:id (ES256 bearer, zod params, cache lookup, server span, admit-all rate limit)\n',
  );
  for (const [mode, tokens] of [
    ['reused tokens (10 clients, each keeps its token)', reusedPool()],
    ['a fresh token on every request', freshSource],
  ] as const) {
    log(`§2 ${mode}`);
    const ms = await compare(REALISTIC, cfg, { env, tokens, log });
    realisticJson[mode] = ms;
    const fastify = by(ms, 'fastify');
    out.push(
      `### With ${mode}\n`,
      httpTable(ms, [
        { label: 'Fastify stack', m: fastify },
        { label: 'Hono by hand', m: by(ms, 'hono') },
      ]),
      '',
    );
    const wrapped = ms.filter((m) => m.tokenPoolWrapped).map((m) => m.subject.label);
    if (wrapped.length)
      out.push(
        `Token pool (${freshCount}) wrapped around for: ${wrapped.join(', ')} — some tokens were seen twice.\n`,
      );
    const r = paired(by(ms, 'milkyway', 'orders'), fastify);
    if (mode.startsWith('reused')) {
      goal(
        '2',
        'realistic route, reused tokens >= 2x the Fastify stack',
        r,
        2,
        '>=',
        ratioSpread(r),
      );
      for (const m of ms) memory.push({ section: 'realistic (reused tokens)', m });
    } else {
      goal(
        '2',
        'realistic route, fresh tokens >= 1.0x the Fastify stack',
        r,
        1,
        '>=',
        ratioSpread(r),
      );
    }
  }
}

const caseOf = (r: MicroResult, prefix: string) => r.cases.find((c) => c.name.startsWith(prefix));

async function section3() {
  log('§3 resilience micro');
  const r = await runMicro('resilience', { quick });
  json.resilience = r;
  const bare = caseOf(r, 'bare call')?.p50Ns ?? Number.NaN;
  const cockatiel = caseOf(r, 'cockatiel wrap');
  const cockatielAdded = (cockatiel?.p50Ns ?? Number.NaN) - bare;
  out.push(
    '## 3. Resilience: per-call cost (micro, mitata, separate process)\n',
    table(
      [
        'Case',
        'median per call',
        'mean per call',
        'added over bare (medians)',
        'added vs cockatiel added',
      ],
      r.cases.map((c: MicroCase) =>
        c.skipped
          ? [c.name, c.skipped, '—', '—', '—']
          : [
              c.name,
              ns(c.p50Ns),
              ns(c.avgNs),
              c.name.includes('open breaker') || c.name === 'bare call' ? '—' : ns(c.p50Ns - bare),
              c.name.includes('open breaker') || c.name === 'bare call'
                ? '—'
                : ratio(c.p50Ns - bare, cockatielAdded),
            ],
      ),
    ),
    '',
  );
  const heap = (r.extra?.heap ?? {}) as Record<
    string,
    { calls: number; growthBytes: number; peakBytes: number }
  >;
  out.push(
    `Heap under a sustained ${r.extra?.heapSeconds} s loop (100 calls in flight, heapUsed after a forced GC minus before; peak = highest heapUsed sampled during the loop):\n`,
    table(
      ['Case', 'calls', 'retained growth', 'peak growth'],
      Object.entries(heap).map(([k, v]) => [k, int(v.calls), mib(v.growthBytes), mib(v.peakBytes)]),
    ),
    '',
  );
  for (const n of r.notes ?? []) out.push(`- ${n}`);
  out.push('');
  const composed = caseOf(r, 'milkyway composed');
  const added = (composed?.p50Ns ?? Number.NaN) - bare;
  goal(
    '3',
    "composed policy's added cost <= 1/3 of cockatiel's (issue 4: <= cockatiel's)",
    added / cockatielAdded,
    1 / 3,
    '<=',
    `${ns(added)} = ${(added / cockatielAdded).toFixed(2)}x of cockatiel's ${ns(cockatielAdded)}`,
  );
  const open = caseOf(r, 'milkyway open breaker')?.p50Ns ?? Number.NaN;
  goal('3', 'a call rejected by an open breaker < 2 µs', open, 2000, '<=', ns(open));
  const mwHeap = heap['milkyway composed policy'];
  const worst = mwHeap ? Math.max(mwHeap.growthBytes, mwHeap.peakBytes) : Number.NaN;
  goal(
    '3',
    `heap growth under a sustained ${r.extra?.heapSeconds} s loop < 30 MiB (peak or retained)`,
    worst,
    30 * 1024 * 1024,
    '<=',
    mib(worst),
  );
}

async function section4() {
  log('§4 rate limit micro');
  const r = await runMicro('ratelimit', { quick });
  json.rateLimit = r;
  const rlf = caseOf(r, 'rate-limiter-flexible')?.p50Ns ?? Number.NaN;
  out.push(
    '## 4. Rate limiter: one check that admits (micro, mitata, separate process)\n',
    table(
      ['Case', 'median per check', 'mean per check', 'vs rate-limiter-flexible (medians)'],
      r.cases.map((c) =>
        c.skipped
          ? [c.name, c.skipped, '—', '—']
          : [c.name, ns(c.p50Ns), ns(c.avgNs), ratio(c.p50Ns, rlf)],
      ),
    ),
    '',
  );
  for (const n of r.notes ?? []) out.push(`- ${n}`);
  const mw = caseOf(r, 'milkyway')?.p50Ns ?? Number.NaN;
  goal(
    '4',
    'memory-store check <= 150 ns',
    mw,
    150,
    '<=',
    `${ns(mw)} (${ratio(mw, rlf)} of rate-limiter-flexible)`,
  );

  log('§4 rate limit with Redis');
  const rr = await runMicro('ratelimit-redis', { quick });
  json.rateLimitRedis = rr;
  const redis = (rr.extra?.redis ?? {}) as Record<
    string,
    {
      roundTripsPerCheck: number;
      commandsPerCheck: Record<string, number>;
      checksPerSecond: number;
      sequentialLatencyUs: number;
    }
  >;
  const rlfRedis = redis['rate-limiter-flexible RateLimiterRedis'];
  out.push('\n### With Redis\n');
  if (Object.keys(redis).length) {
    out.push(
      table(
        [
          'Limiter',
          'round trips per check',
          'commands per check (INFO commandstats)',
          'checks/s (50 in flight)',
          'vs rate-limiter-flexible',
          'one at a time',
        ],
        Object.entries(redis).map(([k, v]) => [
          k,
          v.roundTripsPerCheck.toFixed(2),
          Object.entries(v.commandsPerCheck)
            .map(([c, n]) => `${c} ${n}`)
            .join(', '),
          int(v.checksPerSecond),
          ratio(v.checksPerSecond, rlfRedis?.checksPerSecond ?? Number.NaN),
          `${v.sequentialLatencyUs.toFixed(0)} µs`,
        ]),
      ),
      '',
    );
  }
  for (const n of rr.notes ?? []) out.push(`- ${n}`);
  out.push('');
  const rt = redis['milkyway redis store']?.roundTripsPerCheck ?? Number.NaN;
  goal('4', 'Redis store: one round trip per check', rt, 1, '<=', rt.toFixed(2));
}

async function section5() {
  log('§5 tracing overhead');
  const ms = await compare(TRACING, cfg, { env, tokens: reusedPool(), log });
  json.tracing = ms;
  const plain = by(ms, 'milkyway', 'hello');
  const traced = by(ms, 'milkyway', 'traced');
  const hono = by(ms, 'hono', 'hello');
  out.push(
    '## 5. Tracing overhead: hello route with tracing + metrics and the SDK registered (batch processor, in-memory exporters)\n',
    httpTable(ms, [
      { label: 'Milkyway uninstrumented', m: plain },
      { label: 'Hono bare', m: hono },
    ]),
    '',
    `@hono/otel keeps ${ratio(med(by(ms, 'hono', 'otel')), med(hono))} of bare Hono; Milkyway's tracing()+metrics() keeps ${ratio(med(traced), med(plain))} of the uninstrumented Milkyway route.\n`,
  );
  const r = paired(traced, plain);
  goal(
    '5',
    'instrumented route >= 0.8x uninstrumented',
    r,
    0.8,
    '>=',
    `${ratioSpread(r)} (@hono/otel: ${ratioSpread(paired(by(ms, 'hono', 'otel'), hono))} of bare Hono)`,
  );
  const realistic = paired(
    by(ms, 'milkyway', 'orders-observed'),
    by(ms, 'milkyway', 'orders-untraced'),
  );
  out.push(
    `On the realistic route (§2's GET /orders/:id, reused tokens) tracing()+metrics() keeps ${ratioSpread(realistic)} of the uninstrumented route.\n`,
  );
  goal(
    '5',
    'instrumented realistic route >= 0.9x uninstrumented',
    realistic,
    0.9,
    '>=',
    ratioSpread(realistic),
  );
}

function section6() {
  out.push(
    '## 6. Memory: RSS of each server process after its load runs\n',
    table(
      ['Route', 'Server', 'RSS after load', 'vs Hono by hand / bare'],
      memory.map(({ section, m }) => {
        const hono = memory.find((x) => x.section === section && x.m.subject.entry === 'hono')?.m;
        return [
          section,
          m.subject.label,
          m.error ? m.error : mib(m.rssAfterLoad ?? Number.NaN),
          m.error ? '—' : ratio(m.rssAfterLoad ?? Number.NaN, hono?.rssAfterLoad ?? Number.NaN),
        ];
      }),
    ),
    '',
  );
}

async function section7() {
  log('§7 response cache');
  const ms = await compare(CACHE, cfg, { env, log });
  json.cache = ms;
  const unc = by(ms, 'milkyway', 'uncached');
  out.push(
    '## 7. Response cache: hit path vs the uncached route (issue 7; GET /orders lists 100 orders, ~15 KB of JSON)\n',
    httpTable(ms, [{ label: 'uncached', m: unc }]),
    '',
  );
  const r = paired(by(ms, 'milkyway', 'cached'), unc);
  goal(
    '7',
    'response-cache hit >= 3x the uncached 15 KB route (issue 18)',
    r,
    3,
    '>=',
    ratioSpread(r),
  );
}

async function sectionJwt() {
  out.push('## Auth: jwtAuth vs hono/jwk and @fastify/jwt, reused tokens (issue 5)\n');
  log('§auth: verification cost per library (micro)');
  const v = await runMicro('jwt', { quick });
  json.jwtVerify = v;
  out.push(
    'One verification, uncached (micro, mitata, separate process):\n',
    table(
      ['Case', 'median', 'mean'],
      v.cases.map((c) => [c.name, ns(c.p50Ns), ns(c.avgNs)]),
    ),
    '',
  );
  for (const alg of ['ES256', 'RS256'] as const) {
    log(`§auth ${alg}`);
    const ms = await compare(jwtSubjects(alg), cfg, {
      env,
      tokens: reusedPool(alg === 'ES256' ? es256 : rs256),
      log,
    });
    jwtJson[alg] = ms;
    const off = ms.find((m) => m.subject.env?.BENCH_TOKEN_CACHE === 'off');
    out.push(
      `### ${alg}\n`,
      httpTable(ms, [
        { label: '@fastify/jwt', m: by(ms, 'fastify') },
        { label: 'hono/jwk', m: by(ms, 'hono') },
        { label: 'jwtAuth without cache', m: off },
      ]),
      '',
    );
    const on = ms.find((m) => m.subject.env?.BENCH_TOKEN_CACHE === 'on');
    goals.push({
      section: 'auth',
      goal: `${alg}: token cache gain (report)`,
      measured: ratio(med(on), med(off)),
      met: undefined,
    });
    goals.push({
      section: 'auth',
      goal: `${alg}: jwtAuth (cache off) vs @fastify/jwt (report)`,
      measured: ratio(med(off), med(by(ms, 'fastify'))),
      met: undefined,
    });
  }
}

async function sectionProfile() {
  log('§profile: CPU profile of the realistic route (Milkyway, reused tokens)');
  const dir = join(RESULTS_DIR, 'profile');
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  out.push(
    '## Where the time goes: CPU profile of the realistic route (Milkyway, reused tokens)\n',
  );
  let server: Awaited<ReturnType<typeof startServer>>;
  try {
    server = await startServer({
      entry: 'milkyway',
      scenario: 'orders',
      env,
      nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
    });
  } catch (e) {
    out.push(`not measured: ${(e as Error).message.split('\n')[0]}\n`);
    return;
  }
  const pool = reusedPool()();
  await runLoad({
    url: server.url,
    path: '/orders/ord_1',
    durationS: cfg.warmupS,
    perRequest: () => ({ headers: { authorization: `Bearer ${pool.next()}` } }),
  });
  const from = await server.mark();
  const r = await runLoad({
    url: server.url,
    path: '/orders/ord_1',
    durationS: cfg.durationS,
    perRequest: () => ({ headers: { authorization: `Bearer ${pool.next()}` } }),
  });
  await server.stop();
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) {
    out.push('not measured: the server wrote no .cpuprofile\n');
    return;
  }
  const p = topSelfFrames(join(dir, file), 5, from);
  const areas = selfByArea(join(dir, file), from).slice(0, 8);
  json.profile = { file: join(dir, file), ...p, areas, rps: r.rps };
  out.push(
    `${int(r.rps)} req/s under the profiler; busy ${p.totalMs.toFixed(0)} ms, idle ${p.idleMs.toFixed(0)} ms. Top five self-time frames:\n`,
    table(
      ['Frame', 'self ms', 'share of busy time'],
      p.top.map((f) => [`\`${f.frame}\``, f.selfMs.toFixed(0), `${(f.share * 100).toFixed(1)}%`]),
    ),
    '',
    'Self time by package (node-internal and native time charged to the package that called it):\n',
    table(
      [
        'Package / area',
        'ms (own code + node/native it called)',
        'of which its own code',
        'share of busy time',
      ],
      areas.map((a) => [
        a.area,
        a.selfMs.toFixed(0),
        a.ownMs.toFixed(0),
        `${(a.share * 100).toFixed(1)}%`,
      ]),
    ),
    '',
    `Profile (from the end of the warm-up): results/profile/${file} (open in Chrome DevTools or speedscope).\n`,
  );
}

/** Per-message cost of @milkyway/events (issue 15): validation + CloudEvents + tracing. */
async function sectionEvents() {
  log('§events: per-message overhead (micro)');
  const r = await runMicro('events', { quick });
  json.events = r;
  out.push(
    '## Events: per-message cost (micro, mitata, separate process)\n',
    table(
      ['Case', 'median per message', 'mean per message'],
      r.cases.map((c: MicroCase) => [c.name, ns(c.p50Ns), ns(c.avgNs)]),
    ),
    '',
    `Tracing adds ${ns(Number(r.extra?.tracingOverheadNs))} a message (PRODUCER + CONSUMER span, SDK sampled).`,
    ...(r.notes ?? []).map((n) => `- ${n}`),
    '',
  );
}

async function sectionMessaging() {
  log('§messaging: NATS JetStream publish and consume');
  const m = await messagingSection({ quick, log });
  json.messaging = m.result;
  out.push(...m.markdown);
  for (const g of m.goals) goals.push({ section: 'messaging', ...g });
}

async function section8() {
  const g = await gatewaySection({ cfg, env, tokens: reusedPool(), quick, log });
  json.gateway = g.result;
  out.push(...g.markdown);
  for (const x of g.goals) goals.push({ section: '8', ...x });
}

async function sectionRelay() {
  const r = await relaySection({ quick, log });
  json.relay = r.result;
  out.push(...r.markdown);
  for (const g of r.goals) goals.push({ section: 'relay', ...g });
}

const steps: [string, () => Promise<void> | void][] = [
  ['1', section1],
  ['2', section2],
  ['3', section3],
  ['4', section4],
  ['5', section5],
  ['7', section7],
  ['8', section8],
  ['jwt', sectionJwt],
  ['events', sectionEvents],
  ['6', section6],
  ['profile', sectionProfile],
  ['messaging', sectionMessaging],
  ['relay', sectionRelay],
];
for (const [id, fn] of steps) {
  if (!sections.has(id)) continue;
  const loadBefore = loadavg()[0]!;
  try {
    await fn();
    if (id !== '6')
      out.push(
        `_Machine load (1-min average) before / after this section: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}._\n`,
      );
  } catch (e) {
    out.push(`## Section ${id}\n\nnot measured: ${(e as Error).message.split('\n')[0]}\n`);
    log(`section ${id} failed: ${(e as Error).stack}`);
  }
}

const versions = peerVersions();
const header = [
  `# Milkyway benchmarks — ${new Date().toISOString()}${quick ? ' (quick: 1 repetition, short runs; smoke only, not for publication)' : ''}\n`,
  `Machine: ${cpus().length} cores, ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, ${process.platform}/${process.arch}. Milkyway packages: ${packagesBuild() === 'dist' ? 'built (dist/)' : 'TypeScript sources through tsx'}. ${pinning ? (pinned ? `Pinned with taskset: autocannon on core ${pinning.load}, servers on cores ${pinning.server}.` : 'taskset found but pinning failed: server and autocannon share the cores.') : 'No taskset: server and autocannon share the cores.'}`,
  `Method: each server a fresh child process on 127.0.0.1; autocannon (parent process) with ${cfg.connections} connections, ${cfg.warmupS} s warm-up, ${cfg.repetitions} × ${cfg.durationS} s runs interleaved across servers; req/s as median (min–max). Ratios are paired: run i of one server over run i of the other (they ran back to back), shown as median (min–max) over the runs; a goal counts as met only when its lower bound (upper for a ≤ goal) meets it.\n`,
  '## Goals\n',
  table(
    ['§', 'Goal', 'Measured', 'Met?'],
    goals.map((g) => [
      g.section,
      g.goal,
      g.measured,
      g.met === undefined
        ? g.measured === 'not measured'
          ? 'not measured'
          : '—'
        : g.met
          ? 'met'
          : '**missed**',
    ]),
  ),
  '',
];
const footer = [
  '## Versions\n',
  table(
    ['Package', 'Version'],
    Object.entries(versions).map(([k, v]) => [k, v]),
  ),
  '',
  `Total time: ${((Date.now() - started) / 1000).toFixed(0)} s.`,
];
const markdown = [...header, ...out, ...footer].join('\n');
mkdirSync(RESULTS_DIR, { recursive: true });
writeFileSync(join(RESULTS_DIR, quick ? 'latest-quick.md' : 'latest.md'), `${markdown}\n`);
writeFileSync(
  join(RESULTS_DIR, quick ? 'latest-quick.json' : 'latest.json'),
  JSON.stringify({ versions, goals, ...json }, null, 2),
);
process.stdout.write(`${markdown}\n`);
