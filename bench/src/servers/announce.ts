import type { AddressInfo } from 'node:net';

/** Anything with a listening address (node:http Server, @hono/node-server's server). */
interface Listening {
  address(): AddressInfo | string | null;
}

/**
 * Tells the parent which port the server listens on (stdout line `PORT=<n>` and an IPC message),
 * answers `rss` questions and exits on `stop` (process.exit writes a --cpu-prof profile).
 */
export function announce(server: Listening | number, beforeExit?: () => Promise<unknown>): void {
  const port = typeof server === 'number' ? server : (server.address() as AddressInfo).port;
  process.stdout.write(`PORT=${port}\n`);
  const exit = async () => {
    try {
      await Promise.race([beforeExit?.(), new Promise((r) => setTimeout(r, 2000))]);
    } finally {
      process.exit(0);
    }
  };
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'rss') process.send?.({ type: 'rss', value: process.memoryUsage().rss });
    if (m?.type === 'stop') void exit();
    // The monotonic clock in µs (the clock of --cpu-prof timestamps): lets the profile reader
    // leave out start-up and warm-up.
    if (m?.type === 'mark')
      process.send?.({ type: 'mark', value: Number(process.hrtime.bigint() / 1000n) });
  });
  process.once('SIGTERM', () => void exit());
  process.once('SIGINT', () => void exit());
  process.send?.({ type: 'ready', port });
}

/** The scenario this process serves. */
export const scenario = () => process.env.BENCH_SCENARIO ?? 'hello';

/** The body every hello route answers with. */
export const HELLO = 'hello world';
