import net from 'node:net';

/** A TCP proxy the test controls: `cut()` drops every connection and refuses new ones, `restore()` accepts again. */
export interface TcpProxy {
  port: number;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(
  targetPort: number,
  targetHost = '127.0.0.1',
): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const server = () =>
    net.createServer((client) => {
      const upstream = net.connect(targetPort, targetHost);
      sockets.add(client);
      sockets.add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      client.pipe(upstream).pipe(client);
    });
  let current = server();
  await new Promise<void>((r) => current.listen(0, '127.0.0.1', r));
  const port = (current.address() as net.AddressInfo).port;
  const stop = async () => {
    for (const s of sockets) s.destroy();
    sockets.clear();
    await new Promise<void>((r) => current.close(() => r()));
  };
  return {
    port,
    cut: stop,
    async restore() {
      current = server();
      await new Promise<void>((r) => current.listen(port, '127.0.0.1', r));
    },
    close: () => stop().catch(() => {}),
  };
}
