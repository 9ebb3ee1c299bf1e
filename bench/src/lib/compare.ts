import { runLoad } from './load.js';
import { type ServerProcess, startServer } from './proc.js';
import { type Spread, spread } from './stats.js';
import type { Subject } from './subjects.js';

/** Durations and repetitions of one HTTP comparison. */
export interface RunConfig {
  warmupS: number;
  durationS: number;
  repetitions: number;
  connections: number;
}

/** What one subject measured over its repetitions. */
export interface Measured {
  subject: Subject;
  /** Set when the subject could not be measured. */
  error?: string;
  rps?: Spread;
  runs: number[];
  non2xx: number;
  errors: number;
  total: number;
  latencyP99ms?: number;
  /** The most CPU the load generator used in one run, in cores (near 1: client-bound). */
  clientCpuMax?: number;
  rssAfterLoad?: number;
  /** Token pool cursor wrapped around (fresh-token runs). */
  tokenPoolWrapped?: boolean;
}

/** Hands out a token per request; one instance per server, so each server sees every token once. */
export type TokenSource = () => { next: () => string; wrapped: () => boolean };

/**
 * Measures several servers against each other: each a fresh process, all started first, a
 * warm-up run each, then the repetitions interleaved (A B C, A B C, ...) so that drift on a
 * shared machine spreads over all of them. RSS is read after the last run.
 */
export async function compare(
  subjects: Subject[],
  cfg: RunConfig,
  opts: { env: Record<string, string>; tokens?: TokenSource; log?: (line: string) => void },
): Promise<Measured[]> {
  const log = opts.log ?? (() => {});
  const entries: { m: Measured; server?: ServerProcess; tokens?: ReturnType<TokenSource> }[] = [];
  for (const subject of subjects) {
    const m: Measured = { subject, runs: [], non2xx: 0, errors: 0, total: 0 };
    try {
      const server = await startServer({
        entry: subject.entry,
        scenario: subject.scenario,
        env: { ...opts.env, ...subject.env },
      });
      entries.push({ m, server, tokens: subject.auth ? opts.tokens?.() : undefined });
    } catch (e) {
      m.error = `not measured: ${(e as Error).message.split('\n')[0]}`;
      entries.push({ m });
      log(`  ${subject.label}: ${m.error}`);
    }
  }
  const perRequest = (t?: ReturnType<TokenSource>) =>
    t ? () => ({ headers: { authorization: `Bearer ${t.next()}` } }) : undefined;
  try {
    for (const e of entries) {
      if (!e.server) continue;
      if (cfg.warmupS > 0) {
        await runLoad({
          url: e.server.url,
          path: e.m.subject.path,
          durationS: cfg.warmupS,
          connections: cfg.connections,
          perRequest: perRequest(e.tokens),
        });
      }
    }
    for (let rep = 0; rep < cfg.repetitions; rep++) {
      for (const e of entries) {
        if (!e.server) continue;
        const r = await runLoad({
          url: e.server.url,
          path: e.m.subject.path,
          durationS: cfg.durationS,
          connections: cfg.connections,
          perRequest: perRequest(e.tokens),
        });
        e.m.runs.push(r.rps);
        e.m.non2xx += r.non2xx;
        e.m.errors += r.errors;
        e.m.total += r.total;
        e.m.latencyP99ms = Math.max(e.m.latencyP99ms ?? 0, r.latencyP99ms);
        e.m.clientCpuMax = Math.max(e.m.clientCpuMax ?? 0, r.clientCpu);
        log(
          `  ${e.m.subject.label} #${rep + 1}: ${Math.round(r.rps)} req/s, non-2xx ${r.non2xx}, errors ${r.errors}, load generator CPU ${r.clientCpu.toFixed(2)} cores`,
        );
      }
    }
    for (const e of entries) {
      if (!e.server) continue;
      e.m.rps = spread(e.m.runs);
      e.m.rssAfterLoad = await e.server.rss().catch(() => Number.NaN);
      e.m.tokenPoolWrapped = e.tokens?.wrapped();
    }
  } finally {
    await Promise.all(entries.map((e) => e.server?.stop()));
  }
  return entries.map((e) => e.m);
}
