import type { Logger } from '@milkyway/protocol';
import type {
  BlankSchema,
  Env,
  HandlerInterface,
  IntersectNonAnyTypes,
  MiddlewareHandlerInterface,
  Schema,
} from 'hono/types';
import { createErrorRenderer, createNotFoundHandler } from './errors/error-handler.js';
import { Health, type HealthCheck, type HealthCheckOptions } from './health/health.js';
import { requestBodyLimit } from './http/body-limit.js';
import { type CorsSettings, corsMiddleware } from './http/cors.js';
import {
  type API_SECURITY_HEADERS,
  createSecurityHeaders,
  type SecureHeadersOptions,
  type SecurityHeaders,
} from './http/security-headers.js';
import type { ServiceEnv } from './kernel/context.js';
import { errorHandlerOf, wrapNotFound } from './kernel/hono-bridge.js';
import { type AnyHandler, createKernel, type KernelSlot, withKernel } from './kernel/kernel.js';
import { KernelRouter } from './kernel/kernel-router.js';
import { generateOpenApi, type OpenApiDocument, type OpenApiOptions } from './openapi/generate.js';
import { MIDDLEWARE, OPERATIONS } from './routing/records.js';
import type { TypedRouteMethod, TypedUse } from './routing/route-methods.js';
import { Router } from './routing/router.js';
import { type RunningServer, startNodeServer } from './server/node-server.js';
import type { ListeningInfo, ListenOptions, ServerOptions } from './server/options.js';
import { closeNodeServer } from './server/shutdown.js';
import { processSignals } from './server/signals.js';
import { createLogger } from './support/logger.js';

export type { ListeningInfo, ListenOptions, ServerOptions } from './server/options.js';

/**
 * Options of {@link createService}.
 *
 * @example
 * ```ts
 * import { createService, type ServiceOptions } from '@milkyway/core';
 *
 * const options: ServiceOptions = { name: 'catalog', version: '1.4.0', openapi: true, bodyLimit: 64 * 1024 };
 * const service = createService(options);
 * ```
 */
export interface ServiceOptions {
  /** Service name (logs, OpenAPI title). */
  name: string;
  /** Service version (logs, OpenAPI `info.version`). */
  version: string;
  /** Logger. Default: a JSON-lines logger on stdout ({@link createLogger}). */
  logger?: Logger;
  /** Largest accepted request body in bytes (413 beyond), or `false`. Default 1 MiB. */
  bodyLimit?: number | false;
  /** Request deadlines: the default budget and the cap on an incoming `x-deadline-ms`. */
  deadline?: {
    /** Budget of a request without `x-deadline-ms` (ms). Default 30 000. */
    defaultMs?: number;
    /** Cap on an incoming budget (ms). Default 300 000. */
    maxMs?: number;
  };
  /** Validation failures: 400 (default) or 422. */
  validation?: { status?: 400 | 422 };
  /**
   * Base URL replacing `https://github.com/milkyway-dev/milkyway/blob/main/docs/problems.md#` in
   * Milkyway's problem type URIs (e.g. your own copy of the problems page,
   * `https://api.example/problems#`). Default: the project's page.
   */
  problemTypeBaseUrl?: string;
  /**
   * Security headers: hono/secure-headers options replacing core's API defaults
   * ({@link API_SECURITY_HEADERS}), or `false`. Default: on.
   */
  secureHeaders?: SecureHeadersOptions | false;
  /** CORS. Default: none (closed: no CORS headers, browsers refuse cross-origin calls). */
  cors?: CorsSettings;
  /** Serve the OpenAPI 3.1 document (default path `/openapi.json`). Default: off. */
  openapi?: boolean | OpenApiOptions;
  /** Health endpoints. Default: `/livez` and `/readyz`; `false` to leave them out. */
  health?: false | { livePath?: string; readyPath?: string; timeoutMs?: number };
  /** The Node server: timeouts that shed slow clients, the lingering close after early answers. */
  server?: ServerOptions;
  /** Graceful shutdown: how long in-flight requests may take to finish (ms). Default 10 000. */
  shutdownTimeoutMs?: number;
}

/**
 * The lifecycle state of a service.
 *
 * @example
 * ```ts
 * import type { Service, ServiceState } from '@milkyway/core';
 *
 * declare const service: Service;
 * const state: ServiceState = service.state; // 'idle' | 'listening' | 'closing' | 'closed'
 * if (state === 'listening') await service.close();
 * ```
 */
export type ServiceState = 'idle' | 'listening' | 'closing' | 'closed';

/**
 * A Milkyway service: a Hono app (typed routes, any Hono middleware, `fetch`, `request`) with
 * Milkyway's defaults installed and a lifecycle (`listen`, `close`, `onClose`).
 * Create it with {@link createService}.
 *
 * @example
 * ```ts
 * import { createService } from '@milkyway/core';
 *
 * const service = createService({ name: 'catalog', version: '1.0.0' });
 * service.get('/hello', (c) => c.text('hello'));
 * const { url } = await service.listen({ port: 3000 });
 * ```
 */
export class Service<
  E extends Env = ServiceEnv,
  S extends Schema = BlankSchema,
  BasePath extends string = '/',
> extends Router<E, S, BasePath> {
  /** GET: `(path, handler)` like Hono, or `(path, spec, ...middleware, handler)` for a typed route. */
  declare get: TypedRouteMethod<E, 'get', S, BasePath, 'service'> &
    HandlerInterface<E, 'get', S, BasePath>;
  /** POST: like Hono, or a typed route. */
  declare post: TypedRouteMethod<E, 'post', S, BasePath, 'service'> &
    HandlerInterface<E, 'post', S, BasePath>;
  /** PUT: like Hono, or a typed route. */
  declare put: TypedRouteMethod<E, 'put', S, BasePath, 'service'> &
    HandlerInterface<E, 'put', S, BasePath>;
  /** PATCH: like Hono, or a typed route. */
  declare patch: TypedRouteMethod<E, 'patch', S, BasePath, 'service'> &
    HandlerInterface<E, 'patch', S, BasePath>;
  /** DELETE: like Hono, or a typed route. */
  declare delete: TypedRouteMethod<E, 'delete', S, BasePath, 'service'> &
    HandlerInterface<E, 'delete', S, BasePath>;
  /** Hono's `use`: any Hono middleware; OpenAPI metadata on it (see `withOpenApi`) is documented. */
  declare use: TypedUse<E, S, BasePath, 'service'> & MiddlewareHandlerInterface<E, S, BasePath>;

  /** The service name. */
  readonly name: string;
  /** The service version. */
  readonly version: string;
  /** The service logger. */
  readonly logger: Logger;
  /** Readiness checks and the liveness/readiness state. */
  readonly health: Health;

  readonly #options: ServiceOptions;
  readonly #onClose: Array<() => unknown> = [];
  #state: ServiceState = 'idle';
  #running: RunningServer | undefined;
  #closing: Promise<void> | undefined;
  #unsubscribeSignals: (() => void) | undefined;
  #openapi: OpenApiDocument | undefined;
  #openapiVersion = -1;
  readonly #security: SecurityHeaders | undefined;

  /** @param options - see {@link ServiceOptions}. Prefer {@link createService}. */
  constructor(options: ServiceOptions) {
    // The kernel is not a middleware: every handler is wrapped on registration by the router
    // given through Hono's `router` option (see KernelRouter), and so is the not-found handler.
    const slot: KernelSlot = { kernel: undefined };
    super({ router: new KernelRouter(slot) });
    this.#options = options;
    this.name = options.name;
    this.version = options.version;
    this.logger =
      options.logger ??
      createLogger({ bindings: { service: options.name, version: options.version } });
    this.health = new Health({ timeoutMs: options.health ? options.health.timeoutMs : undefined });

    const render = createErrorRenderer({
      logger: this.logger,
      validationStatus: options.validation?.status ?? 400,
      problemTypeBaseUrl: options.problemTypeBaseUrl,
    });
    const limit = options.bodyLimit ?? 1024 * 1024;
    const bodyLimit = limit === false ? undefined : requestBodyLimit(limit);
    this.#security =
      options.secureHeaders === false ? undefined : createSecurityHeaders(options.secureHeaders);
    slot.kernel = createKernel({
      logger: this.logger,
      defaultDeadlineMs: options.deadline?.defaultMs ?? 30_000,
      maxDeadlineMs: options.deadline?.maxMs ?? 300_000,
      bodyLimit,
      security: this.#security,
      render,
      // What Hono's compose would call with an Error: the app's current `onError` handler.
      onError: (error, c) => errorHandlerOf(this)(error, c),
    });
    wrapNotFound(this, (handler: AnyHandler) => withKernel(handler, slot));
    if (options.cors) this.use(corsMiddleware(options.cors));
    this.onError(render);
    this.notFound(createNotFoundHandler(this));

    if (options.health !== false) {
      const live = options.health?.livePath ?? '/livez';
      const ready = options.health?.readyPath ?? '/readyz';
      this.get(live, { hidden: true }, (c) => this.health.live(c));
      this.get(ready, { hidden: true }, (c) => this.health.ready(c));
    }
    if (options.openapi) {
      const path = (typeof options.openapi === 'object' && options.openapi.path) || '/openapi.json';
      this.get(path, { hidden: true }, (c) => c.json(this.openapi()));
    }
  }

  /** The lifecycle state: `idle`, `listening`, `closing` or `closed`. */
  get state(): ServiceState {
    return this.#state;
  }

  /**
   * The OpenAPI 3.1 document of the service's routes (built once, then cached).
   *
   * @example
   * ```ts
   * import type { Service } from '@milkyway/core';
   *
   * declare const service: Service;
   * const doc = service.openapi();
   * console.log(Object.keys(doc.paths));
   * ```
   */
  openapi(): OpenApiDocument {
    const version = this[OPERATIONS].length + this[MIDDLEWARE].length;
    if (this.#openapi && this.#openapiVersion === version) return this.#openapi;
    this.#openapiVersion = version;
    this.#openapi = generateOpenApi(this as never, {
      title: this.name,
      version: this.version,
      ...(typeof this.#options.openapi === 'object' ? this.#options.openapi : {}),
    });
    return this.#openapi;
  }

  /**
   * Registers a readiness check shown by `/readyz` (shortcut for `service.health.check`).
   *
   * @example
   * ```ts
   * import type { Service } from '@milkyway/core';
   *
   * declare const service: Service;
   * declare const db: { ping(options: { signal: AbortSignal }): Promise<void> };
   * service.readiness('db', async (signal) => { await db.ping({ signal }); }, { timeoutMs: 500 });
   * ```
   */
  readiness(name: string, check: HealthCheck, options?: HealthCheckOptions): this {
    this.health.check(name, check, options);
    return this;
  }

  /**
   * Registers a hook run on close, after in-flight requests drained; hooks run in reverse
   * order of registration (last opened, first closed).
   *
   * @example
   * ```ts
   * import type { Service } from '@milkyway/core';
   *
   * declare const service: Service;
   * declare function openPool(): Promise<{ end(): Promise<void> }>;
   * const pool = await openPool();
   * service.onClose(() => pool.end());
   * ```
   */
  onClose(hook: () => unknown): this {
    this.#onClose.push(hook);
    return this;
  }

  /**
   * Starts serving on Node (HTTP, or HTTPS with `tls`), with server timeouts that shed slow
   * clients; resolves once listening. Unless `signals: false`, the service joins the process's
   * one SIGTERM/SIGINT owner: on a signal every such service of the process closes gracefully,
   * and the process exits once all of them have drained.
   *
   * @example
   * ```ts
   * import type { Service } from '@milkyway/core';
   *
   * declare const service: Service;
   * const { port, url } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
   * ```
   */
  async listen(options: ListenOptions = {}): Promise<ListeningInfo> {
    if (this.#state !== 'idle')
      throw new Error(`service ${this.name} is ${this.#state}; listen() works once`);
    await this.#security?.ready;
    const running = await startNodeServer({
      ...options,
      fetch: this.fetch,
      server: this.#options.server,
      logger: this.logger,
      securityHeaders: () => this.#security?.list,
    });
    this.#running = running;
    this.#state = 'listening';
    this.health.setReady(true);
    if (options.signals !== false) {
      this.#unsubscribeSignals = processSignals().subscribe({
        logger: this.logger,
        close: () => this.close(),
      });
    }
    const { url, port } = running.info;
    this.logger.info({ url, port }, `${this.name} ${this.version} listening`);
    return running.info;
  }

  /**
   * Closes gracefully: readiness fails at once, the server stops accepting connections, idle
   * keep-alive sockets close, in-flight requests get `shutdownTimeoutMs` to finish (then their
   * sockets are closed), and `onClose` hooks run in reverse order. Idempotent.
   *
   * @example
   * ```ts
   * import type { Service } from '@milkyway/core';
   *
   * declare const service: Service;
   * await service.close();
   * ```
   */
  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async #shutdown(): Promise<void> {
    this.#state = 'closing';
    this.health.setReady(false);
    if (this.#running) {
      await closeNodeServer(this.#running, this.#options.shutdownTimeoutMs ?? 10_000, this.logger);
    }
    for (const hook of [...this.#onClose].reverse()) {
      try {
        await hook();
      } catch (error) {
        this.logger.error({ err: error }, 'onClose hook failed');
      }
    }
    this.#state = 'closed';
    this.#unsubscribeSignals?.();
    this.#unsubscribeSignals = undefined;
    this.logger.info({}, `${this.name} closed`);
  }
}

/**
 * Creates a service: a Hono app with Milkyway's defaults — request id, deadline and
 * `AbortSignal`, RFC 9457 errors, 404/405, body limit, security headers, closed CORS, `/livez`
 * and `/readyz` — and a lifecycle (`listen`, graceful `close`).
 *
 * @example
 * ```ts
 * import { createService, HttpError } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const service = createService({ name: 'catalog', version: '1.0.0', openapi: true });
 * service.get(
 *   '/products/:id',
 *   { params: z.object({ id: z.string() }), responses: { 200: z.object({ id: z.string() }) } },
 *   (c) => {
 *     const { id } = c.req.valid('param');
 *     if (id === 'missing') throw new HttpError(404, 'product not found');
 *     return c.json({ id }, 200);
 *   },
 * );
 * await service.listen({ port: 3000 });
 * ```
 */
export function createService<E extends Env = {}>(
  options: ServiceOptions,
): Service<IntersectNonAnyTypes<[ServiceEnv, E]>, BlankSchema, '/'> {
  return new Service(options) as never;
}
