// One gateway's 100 MB upload and download alone, JSON out (§8 tool):
//   npx tsx src/gateway/transfer-run.ts [gateway-milkyway|gateway-fastify|gateway-hono|gateway-node] [bytes]
// (gateway-node: the node:http + pipe reference floor; BENCH_TRANSFER_APP=hono runs Milkyway's
// proxy in a bare Hono app instead of createService; BENCH_PEAK_DETAIL=<file>: see peak.ts)
import { startUpstream } from './section.js';
import { expectedSha256, transferThrough } from './transfer.js';

const entry = process.argv[2] ?? 'gateway-milkyway';
const total = Number(process.argv[3] ?? 100_000_000);
const upstream = await startUpstream({});
try {
  const r = await transferThrough(
    entry,
    entry,
    { BENCH_UPSTREAM_URL: upstream.url },
    total,
    expectedSha256(total),
  );
  process.stdout.write(`${JSON.stringify(r)}\n`);
} finally {
  await upstream.stop();
}
