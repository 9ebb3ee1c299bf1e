// Bytes allocated per request by one benchmark server under load, by function and by package,
// garbage included (what the garbage collector has to clean up).
// Usage: npx tsx src/alloc/profile.ts <entry> <scenario> [path] [seconds] [--fresh] [--anonymous]
//   e.g. npx tsx src/alloc/profile.ts milkyway jwt /me 4 --fresh
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runLoad } from '../lib/load.js';
import { RESULTS_DIR } from '../lib/paths.js';
import { startServer } from '../lib/proc.js';
import { areaOf } from '../lib/profile.js';
import { serverLoadArgs } from '../lib/server-load-args.js';

interface AllocNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocNode[];
}

const { entry, scenario, path, seconds, env, perRequest } = serverLoadArgs(
  process.argv.slice(2),
  4,
);
const dir = join(RESULTS_DIR, 'alloc');
mkdirSync(dir, { recursive: true });
const file = join(dir, `${entry}-${scenario}.heapprofile`);
rmSync(file, { force: true });
const hook = fileURLToPath(new URL('./hook.mjs', import.meta.url));
const server = await startServer({
  entry: entry as never,
  scenario,
  env: { ...env, ALLOC_PROFILE_FILE: file },
  nodeFlags: ['--import', hook],
});
await runLoad({ url: server.url, path, durationS: 1, perRequest }); // warm-up, not sampled
await server.mark();
const r = await runLoad({ url: server.url, path, durationS: seconds, perRequest });
await server.stop();
const requests = r.rps * seconds;
const root = (JSON.parse(readFileSync(file, 'utf8')) as { head: AllocNode }).head;

const byFrame = new Map<string, number>();
const byArea = new Map<string, number>();
let total = 0;
const walk = (n: AllocNode) => {
  const f = n.callFrame;
  const frame = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*node_modules\//, '').replace(/^.*\/packages\//, 'packages/')}:${f.lineNumber + 1}`;
  byFrame.set(frame, (byFrame.get(frame) ?? 0) + n.selfSize);
  const area = areaOf(f.url, f.functionName);
  byArea.set(area, (byArea.get(area) ?? 0) + n.selfSize);
  total += n.selfSize;
  for (const c of n.children) walk(c);
};
walk(root);
const perReq = (bytes: number) => `${(bytes / requests).toFixed(0).padStart(7)} B/req`;
console.log(
  `${Math.round(r.rps)} req/s over ${seconds} s: ${perReq(total)} allocated (sampled, garbage included)`,
);
for (const [k, v] of [...byFrame].sort((a, b) => b[1] - a[1]).slice(0, 25))
  console.log(`${perReq(v)}  ${k}`);
console.log('\nby package/area:');
for (const [k, v] of [...byArea].sort((a, b) => b[1] - a[1]).slice(0, 12))
  console.log(`${perReq(v)}  ${k}`);
