// Server CPU time per request (user + system, from /proc/<pid>/stat) of several benchmark
// servers, measured in interleaved runs (A B C, A B C, ...): a steadier A/B figure than req/s
// when the load generator is near one core or the machine is shared. Linux only.
// Usage: npx tsx src/alloc/cpu.ts [--reps=6] [--duration=3] [--path=/] [--tokens=fresh|reused]
//          <label>=<entry>:<scenario>[:<ENV>=<value>,...] ...
//   --tokens sends an ES256 bearer token with every request (the servers get its public key):
//   `reused` one of 10, `fresh` a new one each time (signed up front, never repeated).
//   e.g. npx tsx src/alloc/cpu.ts hono=hono:hello src=milkyway:hello:TSX_TSCONFIG_PATH=tsconfig.json \
//          dist=milkyway:hello:TSX_TSCONFIG_PATH=tsconfig.dist.json
//   (the @milkyway packages' sources vs their build; without it, BENCH_PACKAGES decides: lib/builds.ts)
//   An env entry TSX_TSCONFIG_PATH=<file> runs a server against another tsconfig's `paths`
//   (e.g. a copy of a package's sources set aside, for a before/after of the same route).
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { runLoad } from '../lib/load.js';
import { pinLoadGenerator } from '../lib/pin.js';
import { type ServerProcess, startServer } from '../lib/proc.js';
import { generateKey, keyEnv, signTokens } from '../lib/tokens.js';

const argv = process.argv.slice(2);
const flag = (name: string, fallback: number) =>
  Number(argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback);
const reps = flag('reps', 6);
const durationS = flag('duration', 3);
const option = (name: string) =>
  argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const path = option('path') ?? '/';
const tokenMode = option('tokens');
const key = generateKey('ES256');
// Enough fresh tokens for every run at up to ~8,000 req/s (the warm-up included).
const tokens =
  tokenMode === undefined
    ? []
    : signTokens(key, tokenMode === 'fresh' ? 8_000 * (2 + reps * durationS) * 2 : 10);
let nextToken = 0;
const perRequest =
  tokenMode === undefined
    ? undefined
    : () => ({
        headers: {
          authorization: `Bearer ${tokens[nextToken++ % tokens.length]}`,
        },
      });

/** utime, stime (clock ticks: 10 ms) of a process, all threads. */
function cpuTicks(pid: number): [number, number] {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return [Number(fields[11]), Number(fields[12])];
}
const TICK_US = 10_000;

interface Row {
  label: string;
  server: ServerProcess;
  total: number[];
  user: number[];
  rps: number[];
}

pinLoadGenerator();
const rows: Row[] = [];
for (const spec of argv.filter((a) => !a.startsWith('--'))) {
  const eq = spec.indexOf('=');
  const [entry, scenario, envList] = spec.slice(eq + 1).split(':');
  const env: Record<string, string> = {};
  for (const pair of (envList ?? '').split(',').filter(Boolean)) {
    const [k, v] = pair.split('=');
    env[k!] = v ?? '';
  }
  const server = await startServer({
    entry: entry!,
    scenario: scenario ?? 'hello',
    env: { ...keyEnv(key), ...env },
  });
  rows.push({ label: spec.slice(0, eq), server, total: [], user: [], rps: [] });
}
const loadBefore = loadavg()[0]!;
const load = (row: Row, seconds: number) =>
  runLoad({ url: row.server.url, path, durationS: seconds, perRequest });
try {
  for (const row of rows) await load(row, 2); // warm-up
  for (let i = 0; i < reps; i++) {
    for (const row of rows) {
      const pid = row.server.child.pid!;
      const [u0, s0] = cpuTicks(pid);
      const r = await load(row, durationS);
      const [u1, s1] = cpuTicks(pid);
      row.total.push(((u1 - u0 + s1 - s0) * TICK_US) / r.total);
      row.user.push(((u1 - u0) * TICK_US) / r.total);
      row.rps.push(r.rps);
    }
  }
  const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;
  const spread = (a: number[], d = 1) =>
    `${median(a).toFixed(d)} (${Math.min(...a).toFixed(d)}–${Math.max(...a).toFixed(d)})`;
  console.log('| server | CPU µs / request | of which user | req/s | RSS at the end |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const row of rows) {
    const rss = (await row.server.rss()) / 2 ** 20;
    console.log(
      `| ${row.label} | ${spread(row.total)} | ${spread(row.user)} | ${spread(row.rps, 0)} | ${rss.toFixed(1)} MiB |`,
    );
  }
  if (tokenMode === 'fresh' && nextToken > tokens.length)
    console.log(`\nThe ${tokens.length} fresh tokens wrapped around: some were sent twice.`);
  console.log(
    `\n1-minute load average before / after: ${loadBefore.toFixed(2)} / ${loadavg()[0]!.toFixed(2)}`,
  );
} finally {
  for (const row of rows) await row.server.stop();
}
