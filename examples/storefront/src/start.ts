/**
 * `npm start`: starts every storefront service as its own process (prefixed logs), runs the
 * scripted demo, prints where to look, and keeps the services up until Ctrl-C, then stops
 * them gracefully (gateway first, so nothing in flight is cut off).
 *
 *   npm start                 # services + demo
 *   npm start -- --no-demo    # services only
 *   npm start -- --quiet      # the demo's output without the services' request logs
 *   npm start -- --exit       # run the demo, then stop (CI smoke test)
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runDemo } from './demo.js';
import { untilSignal } from './supervisor.js';
import { startStorefront } from './system.js';

const { values: flags } = parseArgs({
  options: {
    'no-demo': { type: 'boolean', default: false },
    quiet: { type: 'boolean', default: false },
    exit: { type: 'boolean', default: false },
  },
});

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const traceFile = process.env.TRACE_FILE ?? path.join(root, '.tmp', 'traces.jsonl');
fs.mkdirSync(path.dirname(traceFile), { recursive: true });
fs.rmSync(traceFile, { force: true });

const out = (line = '') => process.stdout.write(`${line}\n`);
let quiet = flags.quiet;

const mode = [
  process.env.DATABASE_URL ? 'data in PostgreSQL' : 'data in embedded PGlite',
  process.env.NATS_URL ? 'events on NATS JetStream' : 'events over HTTP push',
  process.env.REDIS_URL
    ? `limits and caches in Redis at ${process.env.REDIS_URL}`
    : 'limits in memory',
];
out(`Starting the storefront (identity, catalog, orders, gateway): ${mode.join(', ')}...`);
const started = Date.now();
const storefront = await startStorefront({
  print: (line) => {
    if (!quiet) out(line);
  },
  env: {
    TRACE_FILE: traceFile,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    // Export finished spans every 500 ms (the SDK default is 5 s), so the demo can show them.
    OTEL_BSP_SCHEDULE_DELAY: process.env.OTEL_BSP_SCHEDULE_DELAY ?? '500',
  },
}).catch((error: Error) => {
  process.stderr.write(`\nThe storefront did not start: ${error.message}\n`);
  process.stderr.write(
    'Is another copy running? Each service has a fixed port (GATEWAY_PORT=4000, IDENTITY_PORT=4001, CATALOG_PORT=4002, ORDERS_PORT=4003); set them to free ports.\n',
  );
  process.exit(1);
});
out(`All services ready in ${Date.now() - started} ms.`);

let exitCode = 0;
if (!flags['no-demo']) {
  // The demo's narration reads better without every request log interleaved.
  quiet = true;
  try {
    await runDemo(storefront, { out, traceFile });
  } catch (error) {
    exitCode = 1;
    out(`\nThe demo failed: ${(error as Error).stack ?? error}`);
  }
  quiet = flags.quiet;
}

out('');
out('Services:');
for (const [name, url] of Object.entries(storefront.urls)) {
  out(`  ${name.padEnd(9)} ${url}   OpenAPI: ${url}/openapi.json   health: ${url}/readyz`);
}
out(
  `  each also serves the AsyncAPI document of its events at /asyncapi.json, e.g. ${storefront.urls.orders}/asyncapi.json`,
);
out('Metrics (loopback admin listeners, not the public ports):');
for (const service of storefront.supervisor.services) {
  out(`  ${service.spec.name.padEnd(9)} ${service.metricsUrl}`);
}
out(`  spans     ${traceFile} (one JSON object a line)`);

if (flags.exit) {
  await storefront.stop();
  process.exit(exitCode);
}
out('');
out('The services keep running. Press Ctrl-C to stop them.');
const signal = await untilSignal();
out(`\n${signal}: stopping gracefully (gateway first)...`);
quiet = false;
await storefront.stop();
out('Stopped.');
process.exit(exitCode);
