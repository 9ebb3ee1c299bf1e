import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

/** A listening test server: where it is, and how to end it (open connections included). */
export interface Listening {
  port: number;
  url: string;
  close(): Promise<void>;
}

function listening(server: {
  address(): unknown;
  closeAllConnections(): void;
  close(done: () => void): unknown;
}): Listening {
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A plain node:http server on 127.0.0.1 and a free port (an upstream under our control). */
export async function listenNode(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<Listening> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return listening(server);
}

/** A Hono app served by @hono/node-server on 127.0.0.1 and a free port (the gateway). */
export async function listenHono(hono: {
  fetch: (request: Request) => Response | Promise<Response>;
}) {
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: hono.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
  });
  return listening(server as unknown as Parameters<typeof listening>[0]);
}
