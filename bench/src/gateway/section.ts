// §8 (issue 18 §5): a gateway. The storefront gateway's shape (jwtAuth with cached tokens, a
// rate limit, proxy through the resilient client to one upstream) against Fastify
// (@fastify/jwt + @fastify/rate-limit + @fastify/http-proxy) and Hono (hono/jwk + a
// rate-limiter-flexible limiter + hono/proxy), all forwarding to the same upstream process;
// then a 100 MB upload and download through each gateway's proxy alone, with its RSS growth.
import { compare, type Measured, type RunConfig, type TokenSource } from '../lib/compare.js';
import { type ServerProcess, startServer } from '../lib/proc.js';
import { int, mib, pairedRatio, ratioSpread, rps, type Spread, table } from '../lib/stats.js';
import type { Subject } from '../lib/subjects.js';
import { expectedSha256, type GatewayTransfer, transferThrough } from './transfer.js';

/** The three gateways under load: GET /api/orders/ord_1 -> upstream GET /orders/ord_1 (~1 KB JSON). */
export const GATEWAY: Subject[] = [
  {
    label: 'Milkyway: jwtAuth + rateLimit + proxy(httpClient)',
    entry: 'gateway-milkyway',
    scenario: 'gateway',
    path: '/api/orders/ord_1',
    auth: true,
  },
  {
    label: "Milkyway, client transport over Node's fetch (the `fetch` option; diagnostic)",
    entry: 'gateway-milkyway',
    scenario: 'gateway-fetch',
    path: '/api/orders/ord_1',
    auth: true,
  },
  {
    label: 'Fastify + @fastify/jwt + @fastify/rate-limit + @fastify/http-proxy',
    entry: 'gateway-fastify',
    scenario: 'gateway',
    path: '/api/orders/ord_1',
    auth: true,
  },
  {
    label: 'Hono + hono/jwk + rate-limiter-flexible + hono/proxy',
    entry: 'gateway-hono',
    scenario: 'gateway',
    path: '/api/orders/ord_1',
    auth: true,
  },
];

/** A goal line for the run's summary table. */
export interface GatewayGoal {
  goal: string;
  measured: string;
  met: boolean | undefined;
}

export interface GatewayResult {
  load: Measured[];
  transfers: GatewayTransfer[][];
  transferBytes: number;
}

/** Starts the shared upstream (a node:http process, pinned with the servers). */
export function startUpstream(env: Record<string, string>): Promise<ServerProcess> {
  return startServer({ entry: 'gateway-upstream', scenario: 'upstream', env });
}

const ENTRIES: [string, string][] = [
  ['Milkyway proxy() (@milkyway/resilience/http)', 'gateway-milkyway'],
  ['@fastify/http-proxy', 'gateway-fastify'],
  ['hono/proxy', 'gateway-hono'],
  // Not a peer: the floor any Node proxy starts from (node:http both sides, `pipe` both ways).
  ['node:http + pipe (reference floor, no limits)', 'gateway-node'],
];

export async function gatewaySection(options: {
  cfg: RunConfig;
  env: Record<string, string>;
  tokens: TokenSource;
  quick: boolean;
  log: (line: string) => void;
}): Promise<{ markdown: string[]; goals: GatewayGoal[]; result: GatewayResult }> {
  const { cfg, log } = options;
  const upstream = await startUpstream(options.env);
  const env = { ...options.env, BENCH_UPSTREAM_URL: upstream.url };
  try {
    log(`§8 gateway: upstream at ${upstream.url}`);
    const load = await compare(GATEWAY, cfg, { env, tokens: options.tokens, log });
    const fastify = load.find((m) => m.subject.entry === 'gateway-fastify');
    const hono = load.find((m) => m.subject.entry === 'gateway-hono');
    const milkyway = load.find(
      (m) => m.subject.entry === 'gateway-milkyway' && m.subject.scenario === 'gateway',
    );

    const total = options.quick ? 16 * 1024 * 1024 : 100 * 1000 * 1000;
    const expected = expectedSha256(total);
    const rounds = options.quick ? 1 : 2;
    const transfers: GatewayTransfer[][] = [];
    for (let round = 0; round < rounds; round++) {
      const row: GatewayTransfer[] = [];
      for (const [label, entry] of ENTRIES) {
        const t = await transferThrough(label, entry, env, total, expected);
        log(
          `  transfer #${round + 1} ${label}: ${t.error ?? `upload +${mib(t.upload!.rssGrowth)} ${t.upload!.intact ? 'intact' : 'CORRUPT'}, download +${mib(t.download!.rssGrowth)} ${t.download!.intact ? 'intact' : 'CORRUPT'}`}`,
        );
        row.push(t);
      }
      transfers.push(row);
    }

    const ratioRow = (m: Measured) => [
      m.subject.label,
      m.error ?? (m.rps ? rps(m.rps) : 'not measured'),
      ratioSpread(pairedRatio(m.runs, fastify?.runs)),
      ratioSpread(pairedRatio(m.runs, hono?.runs)),
      `${int(m.non2xx)} / ${int(m.errors)} of ${int(m.total)}`,
      m.latencyP99ms === undefined ? '—' : `${m.latencyP99ms} ms`,
      mib(m.rssAfterLoad ?? Number.NaN),
      m.clientCpuMax === undefined
        ? '—'
        : `${m.clientCpuMax.toFixed(2)}${m.clientCpuMax >= 0.9 ? ' (client-bound)' : ''}`,
    ];
    const worst = (label: string, dir: 'upload' | 'download') =>
      Math.max(
        ...transfers.map(
          (row) => row.find((t) => t.label === label)?.[dir]?.rssGrowth ?? Number.NaN,
        ),
      );
    const intact = (label: string) =>
      transfers.every((row) => {
        const t = row.find((x) => x.label === label);
        return t?.upload?.intact === true && t.download?.intact === true;
      });
    const speed = (label: string, dir: 'upload' | 'download') => {
      const values = transfers
        .map((row) => row.find((t) => t.label === label)?.[dir]?.mbPerS)
        .filter((v): v is number => v !== undefined);
      return values.length
        ? `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`
        : 'n/a';
    };
    const errorOf = (label: string) =>
      transfers.map((row) => row.find((t) => t.label === label)?.error).find((e) => e);

    const markdown = [
      '## 8. Gateway: GET /api/orders/ord_1 through jwtAuth (ES256, reused tokens), an admit-all rate limit and a proxy to one upstream (~1 KB JSON)\n',
      table(
        [
          'Gateway',
          'req/s median (min–max)',
          'vs Fastify gateway',
          'vs Hono gateway',
          'non-2xx / errors',
          'p99 latency (max)',
          'RSS after load',
          'load generator CPU (max, cores)',
        ],
        load.map(ratioRow),
      ),
      '',
      `Every gateway forwards to the same node:http upstream process (pinned with the gateways, so it shares their core). Upstream alone: not measured in this table.\n`,
      `### 100 MB through the proxy: ${int(total)} bytes each way, SHA-256 checked at the far end, ${rounds} round(s), fresh gateway process per round\n`,
      table(
        [
          'Proxy',
          'upload: peak RSS growth (worst)',
          'download: peak RSS growth (worst)',
          'bytes intact',
          'upload MB/s',
          'download MB/s',
        ],
        ENTRIES.map(([label]) => {
          const e = errorOf(label);
          if (e) return [label, e, '—', '—', '—', '—'];
          return [
            label,
            mib(worst(label, 'upload')),
            mib(worst(label, 'download')),
            intact(label) ? 'yes' : '**no**',
            speed(label, 'upload'),
            speed(label, 'download'),
          ];
        }),
      ),
      '',
      "Peak RSS growth: the gateway samples its own RSS every 5 ms; growth = highest sample during the transfer minus the RSS right before it (after a forced GC). The proxies run without auth or rate limit here, with 256 MiB body limits. The last row is no peer: the smallest proxy Node can be, whose growth is the garbage of the socket buffers every chunk arrives in (freed at V8's next collection), i.e. the floor under every row. A download right after an upload may reuse memory the upload freed (RSS is not returned at once), which is why a download can read near 0.\n",
    ];

    const r: Spread | undefined = pairedRatio(milkyway?.runs, fastify?.runs);
    const goals: GatewayGoal[] = [
      {
        goal: 'gateway >= 1.2x the Fastify gateway (@fastify/jwt + @fastify/rate-limit + @fastify/http-proxy)',
        measured: ratioSpread(r),
        met: r === undefined ? undefined : r.min >= 1.2,
      },
    ];
    const mk = ENTRIES[0]![0];
    const up = worst(mk, 'upload');
    const down = worst(mk, 'download');
    goals.push({
      goal: `proxy a ${options.quick ? '16 MiB (quick)' : '100 MB'} upload and download with RSS growth < 32 MiB, bytes intact`,
      measured:
        errorOf(mk) ??
        `upload +${mib(up)}, download +${mib(down)}${intact(mk) ? '' : ', bytes NOT intact'}`,
      met: errorOf(mk) ? undefined : up < 32 * 1024 * 1024 && down < 32 * 1024 * 1024 && intact(mk),
    });
    return { markdown, goals, result: { load, transfers, transferBytes: total } };
  } finally {
    await upstream.stop();
  }
}
