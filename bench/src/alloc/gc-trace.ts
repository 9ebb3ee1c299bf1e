// Garbage-collection time of one benchmark server under load (`node --trace-gc`): how many
// scavenges and mark-compacts ran and how long they took. A route whose per-request objects
// survive young-generation collections shows long scavenges and mark-compacts here.
// Usage: npx tsx src/alloc/gc-trace.ts <entry> <scenario> [path] [seconds] [--fresh] [--anonymous]
//   e.g. npx tsx src/alloc/gc-trace.ts milkyway orders-untraced /orders/ord_1 4
import { runLoad } from '../lib/load.js';
import { startServer } from '../lib/proc.js';
import { serverLoadArgs } from '../lib/server-load-args.js';

const { entry, scenario, path, seconds, env, perRequest } = serverLoadArgs(
  process.argv.slice(2),
  4,
);
const server = await startServer({
  entry: entry as never,
  scenario,
  env,
  nodeFlags: ['--trace-gc'],
});
let trace = '';
server.child.stdout?.removeAllListeners('data');
server.child.stdout?.on('data', (d: Buffer) => {
  trace += d.toString();
});
await runLoad({ url: server.url, path, durationS: 1, perRequest }); // warm-up, not counted
trace = '';
const r = await runLoad({ url: server.url, path, durationS: seconds, perRequest });
await server.stop();
const events = trace.split('\n').filter((l) => /: (Scavenge|Mark-Compact|Mark-sweep)/.test(l));
const pauseMs = (line: string) => Number(/, ([\d.]+) \/ [\d.]+ ms/.exec(line)?.[1] ?? 0);
const sum = (lines: string[]) => lines.reduce((t, l) => t + pauseMs(l), 0);
const scavenges = events.filter((l) => l.includes('Scavenge'));
const marks = events.filter((l) => !l.includes('Scavenge'));
console.log(
  `${Math.round(r.rps)} req/s over ${seconds} s; ${scavenges.length} scavenges (${sum(scavenges).toFixed(0)} ms), ` +
    `${marks.length} mark-compacts (${sum(marks).toFixed(0)} ms)`,
);
for (const l of events.slice(0, 4))
  console.log(`  ${l.replace(/^\[[^\]]*\]\s*/, '').slice(0, 140)}`);
