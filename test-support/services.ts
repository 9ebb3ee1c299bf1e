import net from 'node:net';

/** How to start each service a test may need, for the skip message a newcomer reads. */
const START_HINTS: Record<string, string> = {
  redis: 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
  nats: 'nats-server -a 127.0.0.1 -p 4222 -js',
  postgres: 'pg_ctlcluster $(ls /etc/postgresql) main start',
};

/** True when something accepts TCP connections on host:port within timeoutMs. */
export function isPortOpen(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host });
    const done = (open: boolean) => {
      socket.destroy();
      resolve(open);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Decides whether tests that need a real service run. Returns `true` when the service is
 * reachable. When it is not: with `MILKYWAY_REQUIRE_SERVICES=1` (CI) it throws, so the run
 * fails; otherwise it prints why the tests skip and how to start the service, and returns false.
 *
 * Use with `describe.runIf(await serviceAvailable('redis', 6379))(...)`.
 */
export async function serviceAvailable(name: string, port: number, host = '127.0.0.1') {
  if (await isPortOpen(port, host)) return true;
  const hint = START_HINTS[name] ?? `start ${name}`;
  const message = `${name} is not reachable at ${host}:${port}; start it with: ${hint}`;
  if (process.env.MILKYWAY_REQUIRE_SERVICES === '1') {
    throw new Error(`${message} (MILKYWAY_REQUIRE_SERVICES=1, so this fails instead of skipping)`);
  }
  console.warn(`[skip] ${message}`);
  return false;
}
