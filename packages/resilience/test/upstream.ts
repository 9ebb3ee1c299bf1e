import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Handler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

/** A real node:http server on 127.0.0.1 and a random port, for fault tests. */
export interface Upstream {
  url: string;
  host: string;
  requests: Array<{
    method: string;
    url: string;
    headers: IncomingMessage['headers'];
    body: string;
  }>;
  handle(handler: Handler): void;
  close(): Promise<void>;
}

export async function startUpstream(initial?: Handler): Promise<Upstream> {
  let handler: Handler = initial ?? ((_req, res) => res.end('ok'));
  const requests: Upstream['requests'] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: body.toString(),
      });
      handler(req, res, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    requests,
    handle(next) {
      handler = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Handlers for the usual faults. */
export const faults = {
  reset: ((req) => req.socket.destroy()) as Handler,
  hang: (() => {}) as Handler,
  status: (status: number, headers: Record<string, string> = {}, body = '') =>
    ((_req, res) => {
      res.writeHead(status, headers);
      res.end(body);
    }) as Handler,
  json: (data: unknown, status = 200) =>
    ((_req, res) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(data));
    }) as Handler,
};
