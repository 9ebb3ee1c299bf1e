// CPU profile of one benchmark server under load, top self-time frames printed.
// Usage: npx tsx src/profile.ts <entry> <scenario> [path] [seconds] [--fresh] [--anonymous]
//   [--interval=<µs>] [--inclusive[=<n>]]
//   --inclusive: also the n (default 40) frames with the most inclusive time, in µs per request
//   (own time + everything they called), e.g. how much one middleware costs all told.
//   --interval: V8's sampling interval (default 1000 µs; 100 gives finer inclusive figures).
//   e.g. npx tsx src/profile.ts milkyway orders /orders/ord_1 8
//   --anonymous: no Authorization header (e.g. `milkyway cached /orders`: a response cache
//   does not serve authenticated requests without perPrincipal, so a bearer token makes every
//   request a miss).
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runLoad } from './lib/load.js';
import { RESULTS_DIR } from './lib/paths.js';
import { startServer } from './lib/proc.js';
import { selfByArea, topSelfFrames } from './lib/profile.js';
import { serverLoadArgs } from './lib/server-load-args.js';

const { entry, scenario, path, seconds, env, perRequest } = serverLoadArgs(
  process.argv.slice(2),
  5,
);
const dir = join(RESULTS_DIR, 'profile', `${entry}-${scenario}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const flagValue = (name: string) =>
  process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`))?.split('=')[1] ??
  (process.argv.includes(`--${name}`) ? '' : undefined);
const interval = flagValue('interval');
const inclusive = flagValue('inclusive');
const server = await startServer({
  entry: entry as never,
  scenario,
  env,
  nodeFlags: [
    '--cpu-prof',
    `--cpu-prof-dir=${dir}`,
    ...(interval ? [`--cpu-prof-interval=${Number(interval)}`] : []),
  ],
});
await runLoad({ url: server.url, path, durationS: 1, perRequest }); // warm-up, left out of the profile
const from = await server.mark();
const r = await runLoad({
  url: server.url,
  path,
  durationS: seconds,
  perRequest,
});
await server.stop();
// The server's main thread writes the first profile (.0.001); a worker (tsx's loader) may add more.
const file = readdirSync(dir)
  .filter((f) => f.endsWith('.cpuprofile'))
  .sort()[0];
if (!file) throw new Error('no profile written');
const p = topSelfFrames(join(dir, file), 15, from);
console.log(
  `${Math.round(r.rps)} req/s, non-2xx ${r.non2xx}; busy ${p.totalMs.toFixed(0)} ms, idle ${p.idleMs.toFixed(0)} ms`,
);
for (const f of p.top)
  console.log(
    `${(f.share * 100).toFixed(1).padStart(5)}%  ${f.selfMs.toFixed(0).padStart(6)} ms  ${f.frame}`,
  );
console.log('\nself time by package/area:');
for (const a of selfByArea(join(dir, file), from).slice(0, 15))
  console.log(
    `${(a.share * 100).toFixed(1).padStart(5)}%  ${a.selfMs.toFixed(0).padStart(6)} ms  ${a.area}`,
  );
if (inclusive !== undefined) {
  const requests = r.rps * seconds;
  const rows = inclusiveFrames(join(dir, file), from, Number(inclusive) || 40);
  console.log(`\ninclusive time per request (${Math.round(requests)} requests):`);
  for (const f of rows)
    console.log(
      `${((f.inclusiveMs * 1000) / requests).toFixed(2).padStart(7)} µs  (self ${((f.selfMs * 1000) / requests).toFixed(2)})  ${f.frame}`,
    );
}
console.log(join(dir, file));

/**
 * Inclusive time per frame (function + file + line): the samples whose stack holds the frame
 * (counted once per sample however often the frame recurs), from `fromUs` on, largest first.
 */
function inclusiveFrames(
  profileFile: string,
  fromUs: number,
  n: number,
): { frame: string; inclusiveMs: number; selfMs: number }[] {
  const profile = JSON.parse(readFileSync(profileFile, 'utf8')) as {
    nodes: {
      id: number;
      callFrame: { functionName: string; url: string; lineNumber: number };
      children?: number[];
    }[];
    startTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const short = (url: string) => {
    const nm = url.lastIndexOf('node_modules/');
    if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
    const pk = url.indexOf('/packages/');
    return pk >= 0 ? url.slice(pk + 1) : url.replace(/^.*\//, '');
  };
  const key = (id: number) => {
    const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
    return url
      ? `${functionName || '(anonymous)'} ${short(url)}:${lineNumber + 1}`
      : functionName || '(anonymous)';
  };
  const incl = new Map<string, number>();
  const self = new Map<string, number>();
  let t = profile.startTime;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    t += dt;
    if (t < fromUs || byId.get(id)?.callFrame.functionName === '(idle)') return;
    self.set(key(id), (self.get(key(id)) ?? 0) + dt);
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = key(cur);
      if (seen.has(k)) continue;
      seen.add(k);
      incl.set(k, (incl.get(k) ?? 0) + dt);
    }
  });
  return [...incl.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([frame, us]) => ({
      frame,
      inclusiveMs: us / 1000,
      selfMs: (self.get(frame) ?? 0) / 1000,
    }));
}
