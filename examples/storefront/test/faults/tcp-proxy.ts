/**
 * A TCP proxy a test puts between a service and a server (PostgreSQL) to make the server
 * unreachable on demand: `cut()` resets every open connection and refuses new ones (as a
 * network partition or a server restart would), `restore()` lets connections through again.
 */
import net from 'node:net';

/** A running proxy (always `close()` it). */
export interface TcpProxy {
  /** The local port clients connect to. */
  readonly port: number;
  /** Resets every proxied connection and refuses new ones until `restore()`. */
  cut(): void;
  /** Lets new connections through again. */
  restore(): void;
  /** Whether the proxy is cut. */
  readonly isCut: boolean;
  /** How many connections were refused or reset while cut (so a test can see the cut bite). */
  readonly refused: number;
  /** Stops listening and closes every connection. */
  close(): Promise<void>;
}

/** Starts a proxy on a free port of 127.0.0.1 forwarding to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const pairs = new Set<{ client: net.Socket; upstream: net.Socket }>();
  let cut = false;
  let refused = 0;
  const server = net.createServer((client) => {
    if (cut) {
      refused++;
      client.resetAndDestroy();
      return;
    }
    const upstream = net.connect(target);
    const pair = { client, upstream };
    pairs.add(pair);
    const drop = () => {
      pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    get isCut() {
      return cut;
    },
    get refused() {
      return refused;
    },
    cut() {
      cut = true;
      for (const { client, upstream } of pairs) {
        refused++;
        client.resetAndDestroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    restore() {
      cut = false;
    },
    async close() {
      for (const { client, upstream } of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
