// Promises created per request by a benchmark server: with AsyncLocalStorage enabled (Node 20:
// a promise hook per promise) every promise of the request costs CPU, so fewer is cheaper.
// Usage: npx tsx src/alloc/promises.ts <entry> <scenario> [path] [requests] [--sites=<1 in N>]
//   e.g. npx tsx src/alloc/promises.ts milkyway orders /orders/o-1 2000 --sites=7
// Requests are sent one at a time over one keep-alive connection (with an ES256 bearer token for
// the scenarios that want one); the count is for the requests after a warm-up.
import { Agent, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startServer } from '../lib/proc.js';
import { generateKey, keyEnv, signTokens } from '../lib/tokens.js';

const argv = process.argv.slice(2);
const positional = argv.filter((a) => !a.startsWith('--'));
const [entry = 'milkyway', scenario = 'orders', path = '/', countArg = '2000'] = positional;
const count = Number(countArg);
const sample = argv.find((a) => a.startsWith('--sites='))?.slice(8) ?? '0';
const key = generateKey('ES256');
const [token] = signTokens(key, 1);
const hook = fileURLToPath(new URL('./promise-hook.mjs', import.meta.url));
const server = await startServer({
  entry,
  scenario,
  env: { ...keyEnv(key), PROMISE_SITE_SAMPLE: sample },
  nodeFlags: ['--import', hook],
});
const agent = new Agent({ keepAlive: true, maxSockets: 1 });

function get(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${path}`,
      { agent, headers: { authorization: `Bearer ${token}` } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

function ask<T>(type: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (m: { type?: string; value?: T }) => {
      if (m?.type !== type) return;
      server.child.off('message', onMessage);
      resolve(m.value as T);
    };
    server.child.on('message', onMessage);
    server.child.send({ type });
  });
}

try {
  for (let i = 0; i < 500; i++) await get();
  await server.mark();
  const statuses = new Map<number, number>();
  for (let i = 0; i < count; i++) {
    const status = await get();
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
  }
  const { promises, sites } = await ask<{ promises: number; sites: [string, number][] }>(
    'promises',
  );
  console.log(
    `${entry}:${scenario} ${path}: ${(promises / count).toFixed(1)} promises per request ` +
      `(${promises} over ${count} requests; statuses ${JSON.stringify(Object.fromEntries(statuses))})`,
  );
  for (const [site, n] of sites) console.log(`${String(n).padStart(6)}  ${site}`);
} finally {
  agent.destroy();
  await server.stop();
}
