import type { Server } from 'node:http';

/**
 * Options of the Node server: the timeouts that shed slow clients, and the bounds of the
 * lingering close after an early answer.
 *
 * @example
 * ```ts
 * import { createService, type ServerOptions } from '@milkyway/core';
 *
 * const server: ServerOptions = { headersTimeoutMs: 5_000, requestTimeoutMs: 15_000 };
 * createService({ name: 'api', version: '1.0.0', server });
 * ```
 */
export interface ServerOptions {
  /**
   * Time to receive the request headers (ms); a slower client gets a 408 problem and its
   * connection is closed, within about a second of the timeout. Default 10 000.
   */
  headersTimeoutMs?: number;
  /**
   * Time to receive the whole request, body included (ms); a slower body gets a 408 problem
   * where a response can still be written, within about a second of the timeout.
   * Default 30 000, and never below `headersTimeoutMs`.
   */
  requestTimeoutMs?: number;
  /** Idle time of a keep-alive connection between requests (ms). Default 5 000. */
  keepAliveTimeoutMs?: number;
  /**
   * After an answer sent before the whole request body arrived (413, 415, 401 on an upload…),
   * how long the server keeps reading and discarding the rest before it closes the connection
   * (ms). Default 5 000.
   */
  lingerMs?: number;
  /** After such an early answer, how many bytes the server reads and discards at most. Default 16 MiB. */
  lingerMaxBytes?: number;
}

/**
 * Options of {@link Service.listen}.
 *
 * @example
 * ```ts
 * import type { ListenOptions, Service } from '@milkyway/core';
 *
 * declare const service: Service;
 * const options: ListenOptions = { port: Number(process.env.PORT ?? 3000), hostname: '0.0.0.0' };
 * await service.listen(options);
 * ```
 */
export interface ListenOptions {
  /** Port; `0` picks a free one. Default 3000. */
  port?: number;
  /** Interface to bind, e.g. `127.0.0.1`. Default: all interfaces. */
  hostname?: string;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer; ca?: string | Buffer };
  /**
   * Close gracefully on SIGTERM/SIGINT, then exit once every service of the process that asked
   * for it has drained. Default `true`.
   */
  signals?: boolean;
}

/**
 * Where a service listens.
 *
 * @example
 * ```ts
 * import type { ListeningInfo, Service } from '@milkyway/core';
 *
 * declare const service: Service;
 * const { url }: ListeningInfo = await service.listen({ port: 0, hostname: '127.0.0.1' });
 * await fetch(`${url}/livez`);
 * ```
 */
export interface ListeningInfo {
  /** The bound port. */
  port: number;
  /** The bound address. */
  hostname: string;
  /** Base URL (`http://127.0.0.1:41234`). */
  url: string;
  /** The Node server. */
  server: Server;
}
