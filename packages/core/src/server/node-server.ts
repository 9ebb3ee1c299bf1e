import {
  createServer as createHttpServer,
  type IncomingMessage,
  type ServerOptions as NodeHttpOptions,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { getRequestListener } from '@hono/node-server';
import type { Logger } from '@milkyway/protocol';
import { answerClientError } from './client-error.js';
import { Connections } from './connections.js';
import { hostHeaderProblem } from './host-header.js';
import { admitRequest, lingerThenClose } from './lingering-close.js';
import type { ListeningInfo, ListenOptions, ServerOptions } from './options.js';
import {
  problemResponse,
  rawProblemAnswer,
  type StaticHeaders,
  writeProblem,
} from './problem-answers.js';
import { serverSettings } from './timeouts.js';

/** What the Node server needs from the service it serves. @internal */
export interface NodeServerOptions extends ListenOptions {
  /** The service's `fetch`. */
  fetch: (request: Request, env: never) => Response | Promise<Response>;
  /** The service's Node server options. */
  server: ServerOptions | undefined;
  logger: Logger;
  /** The static security headers, for answers given before routing. */
  securityHeaders(): StaticHeaders | undefined;
}

/** A listening Node server and its tracked connections. @internal */
export interface RunningServer {
  server: Server;
  connections: Connections;
  info: ListeningInfo;
}

const BAD_TARGET = 'The request target or its Host header is not valid.';
const CONNECT_REFUSED = 'CONNECT is not supported: this server is an origin server, not a proxy.';
const BAD_EXPECTATION = 'Only "Expect: 100-continue" is supported.';

/**
 * Starts the Node server of a service (HTTP, or HTTPS with `tls`) and resolves once it listens:
 * timeouts that shed slow clients within about a second, connection tracking for shutdown, the
 * lingering close after early answers, and an RFC 9457 problem with the security headers for
 * every request refused before routing (Node's parser errors and timeouts, an invalid or
 * repeated Host, `OPTIONS *`, CONNECT, an unsupported `Expect`).
 * @internal
 */
export async function startNodeServer(options: NodeServerOptions): Promise<RunningServer> {
  const settings = serverSettings(options.server);
  const linger = settings.linger;
  const headers = (): StaticHeaders => options.securityHeaders() ?? [];
  const handle = getRequestListener(options.fetch as never, {
    // A request @hono/node-server cannot turn into a `Request` (an invalid Host, `OPTIONS *`,
    // a backslash in the path) is answered here instead of with its bare, header-less 400.
    errorHandler: () => problemResponse(400, BAD_TARGET, headers()),
  });
  const nodeOptions: NodeHttpOptions = {
    headersTimeout: settings.headersTimeoutMs,
    requestTimeout: settings.requestTimeoutMs,
    keepAliveTimeout: settings.keepAliveTimeoutMs,
    connectionsCheckingInterval: settings.connectionsCheckingIntervalMs,
    // Checked below, to answer with a problem instead of Node's bare 400.
    requireHostHeader: false,
  };
  const tls = options.tls;
  const server: Server = tls
    ? createHttpsServer({ key: tls.key, cert: tls.cert, ca: tls.ca, ...nodeOptions })
    : createHttpServer(nodeOptions);
  // Not every Node version reads keepAliveTimeout from the options.
  server.keepAliveTimeout = settings.keepAliveTimeoutMs;
  const connections = new Connections(server, tls !== undefined);

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!admitRequest(req, res, linger)) return;
    connections.request(req, res);
    const hostProblem = hostHeaderProblem(req);
    if (hostProblem !== undefined) return writeProblem(res, 400, hostProblem, headers());
    return handle(req, res);
  });
  server.on('clientError', (error: Error, socket: Duplex) =>
    answerClientError(error, socket, {
      inFlight: (s) => connections.inFlight(s),
      securityHeaders: headers,
      linger,
    }),
  );
  server.on('connect', (_req: IncomingMessage, socket: Socket) => {
    socket.write(rawProblemAnswer(400, CONNECT_REFUSED, headers()));
    lingerThenClose(socket, linger);
  });
  server.on('checkExpectation', (_req: IncomingMessage, res: ServerResponse) =>
    writeProblem(res, 417, BAD_EXPECTATION, headers()),
  );

  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(options.port ?? 3000, options.hostname, () => {
      server.off('error', onError);
      resolve();
    });
  });
  server.on('error', (error) => options.logger.error({ err: error }, 'server error'));
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const shown = address.address === '::' || address.address === '0.0.0.0' ? 'localhost' : host;
  const url = `${tls ? 'https' : 'http'}://${shown}:${address.port}`;
  return {
    server,
    connections,
    info: { port: address.port, hostname: address.address, url, server },
  };
}
