// CPU profile of one benchmark server under load, top self-time frames printed.
// Usage: npx tsx src/profile.ts <entry> <scenario> [path] [seconds] [--fresh] [--anonymous]
//   e.g. npx tsx src/profile.ts milkyway orders /orders/ord_1 8
//   --anonymous: no Authorization header (e.g. `milkyway cached /orders`: a response cache
//   does not serve authenticated requests without perPrincipal, so a bearer token makes every
//   request a miss).
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
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
const server = await startServer({
  entry: entry as never,
  scenario,
  env,
  nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
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
const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
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
console.log(join(dir, file));
