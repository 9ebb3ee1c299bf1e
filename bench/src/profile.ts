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
import { generateKey, keyEnv, signTokens } from './lib/tokens.js';

const [entry = 'milkyway', scenario = 'hello', path = '/', seconds = '5'] = process.argv
  .slice(2)
  .filter((a) => !a.startsWith('--'));
const fresh = process.argv.includes('--fresh');
const anonymous = process.argv.includes('--anonymous');
const es256 = generateKey('ES256');
const rs256 = generateKey('RS256');
const tokens = signTokens(es256, fresh ? 15_000 * Number(seconds) : 10);
const dir = join(RESULTS_DIR, 'profile', `${entry}-${scenario}`);
rmSync(dir, { recursive: true, force: true });
mkdirSync(dir, { recursive: true });
const server = await startServer({
  entry: entry as never,
  scenario,
  env: keyEnv(es256, rs256),
  nodeFlags: ['--cpu-prof', `--cpu-prof-dir=${dir}`],
});
let i = 0;
const perRequest = anonymous
  ? undefined
  : () => ({ headers: { authorization: `Bearer ${tokens[i++ % tokens.length]}` } });
await runLoad({ url: server.url, path, durationS: 1, perRequest }); // warm-up, left out of the profile
const from = await server.mark();
const r = await runLoad({
  url: server.url,
  path,
  durationS: Number(seconds),
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
