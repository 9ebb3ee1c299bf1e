import type { Context } from 'hono';

/**
 * A readiness check: resolves when healthy, throws (or rejects) when not. Gets an abort signal for its timeout.
 *
 * @example
 * ```ts
 * import type { HealthCheck, Service } from '@milkyway/core';
 *
 * declare const service: Service;
 * declare const pool: { query(sql: string, options: { signal: AbortSignal }): Promise<unknown> };
 *
 * const db: HealthCheck = (signal) => pool.query('select 1', { signal });
 * service.readiness('db', db);
 * ```
 */
export type HealthCheck = (signal: AbortSignal) => unknown | Promise<unknown>;

/**
 * Options of one readiness check.
 *
 * @example
 * ```ts
 * import type { HealthCheck, HealthCheckOptions, Service } from '@milkyway/core';
 *
 * declare const service: Service;
 * declare const check: HealthCheck;
 * service.readiness('db', check, { timeoutMs: 500 } satisfies HealthCheckOptions);
 * ```
 */
export interface HealthCheckOptions {
  /** How long the check may take before it counts as failed (ms). Default: the service's (1 000). */
  timeoutMs?: number;
}

/**
 * The state of one check in a `/readyz` response.
 *
 * @example
 * ```ts
 * import type { CheckState, Service } from '@milkyway/core';
 *
 * declare const service: Service;
 * const { checks } = await service.health.report();
 * const db: CheckState | undefined = checks.db; // { status: 'ok', durationMs: 3 }
 * ```
 */
export interface CheckState {
  /** `ok` or `fail`. */
  status: 'ok' | 'fail';
  /** How long the check took (ms). */
  durationMs: number;
  /** Why it failed: `timeout` or `failed` (details are not exposed). */
  error?: string;
}

/**
 * The body of `/readyz`.
 *
 * @example
 * ```ts
 * import type { ReadinessReport, Service } from '@milkyway/core';
 *
 * declare const service: Service;
 * const report: ReadinessReport = await service.health.report();
 * if (report.status === 'fail') console.warn(report.checks);
 * ```
 */
export interface ReadinessReport {
  /** `ok` when ready, `fail` otherwise (then the status is 503). */
  status: 'ok' | 'fail';
  /** Present once shutdown began. */
  reason?: 'shutting down';
  /** Each check's state by name. */
  checks: Record<string, CheckState>;
}

interface Registered {
  name: string;
  check: HealthCheck;
  timeoutMs: number;
}

class CheckTimeout extends Error {}

/**
 * Liveness and readiness of a service (Kubernetes conventions): `/livez` answers 200 while the
 * process serves; `/readyz` runs every registered check with its timeout, lists each state, and
 * is 503 when a check fails or once shutdown begins.
 *
 * @example
 * ```ts
 * import type { Service } from '@milkyway/core';
 *
 * declare const service: Service;
 * declare const db: { ping(options: { signal: AbortSignal }): Promise<void> };
 *
 * service.health.check('db', (signal) => db.ping({ signal }), { timeoutMs: 500 });
 * const report = await service.health.report(); // { status: 'ok', checks: { db: { status: 'ok', durationMs: 3 } } }
 * ```
 */
export class Health {
  readonly #checks: Registered[] = [];
  readonly #defaultTimeout: number;
  #shuttingDown = false;

  /** @param options - the default check timeout (ms). */
  constructor(options: { timeoutMs?: number | undefined } = {}) {
    this.#defaultTimeout = options.timeoutMs ?? 1_000;
  }

  /**
   * Registers a readiness check.
   *
   * @example
   * ```ts
   * import { Health } from '@milkyway/core';
   *
   * declare const redis: { ping(): Promise<string> };
   * const health = new Health();
   * health.check('cache', async () => { await redis.ping(); }, { timeoutMs: 200 });
   * ```
   */
  check(name: string, check: HealthCheck, options: HealthCheckOptions = {}): this {
    this.#checks.push({ name, check, timeoutMs: options.timeoutMs ?? this.#defaultTimeout });
    return this;
  }

  /**
   * Marks the service as shutting down (`false`): readiness then stays failed. Called by
   * `service.close()`.
   *
   * @example
   * ```ts
   * import type { Service } from '@milkyway/core';
   *
   * declare const service: Service;
   * service.health.setReady(false); // /readyz now answers 503
   * ```
   */
  setReady(ready: boolean): void {
    if (!ready) this.#shuttingDown = true;
  }

  /**
   * Runs every check (concurrently, each with its timeout) and reports their states.
   *
   * @example
   * ```ts
   * import { Health } from '@milkyway/core';
   *
   * const health = new Health({ timeoutMs: 500 });
   * const { status, checks } = await health.report();
   * ```
   */
  async report(): Promise<ReadinessReport> {
    const checks: Record<string, CheckState> = {};
    await Promise.all(
      this.#checks.map(async ({ name, check, timeoutMs }) => {
        checks[name] = await runCheck(check, timeoutMs);
      }),
    );
    let status: 'ok' | 'fail' = 'ok';
    for (const name in checks) if (checks[name]?.status === 'fail') status = 'fail';
    const report: ReadinessReport = { status, checks };
    if (this.#shuttingDown) {
      report.status = 'fail';
      report.reason = 'shutting down';
    }
    return report;
  }

  /** `/livez` handler. @internal */
  live(c: Context): Response {
    c.header('cache-control', 'no-store');
    return c.json({ status: 'ok' }, 200);
  }

  /** `/readyz` handler. @internal */
  async ready(c: Context): Promise<Response> {
    const report = await this.report();
    c.header('cache-control', 'no-store');
    return c.json(report, report.status === 'ok' ? 200 : 503);
  }
}

async function runCheck(check: HealthCheck, timeoutMs: number): Promise<CheckState> {
  const started = performance.now();
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort(new CheckTimeout('timeout'));
      reject(new CheckTimeout('timeout'));
    }, timeoutMs);
  });
  try {
    await Promise.race([Promise.resolve().then(() => check(controller.signal)), timeout]);
    return { status: 'ok', durationMs: Math.round(performance.now() - started) };
  } catch (error) {
    const message = error instanceof CheckTimeout ? 'timeout' : 'failed';
    return { status: 'fail', durationMs: Math.round(performance.now() - started), error: message };
  } finally {
    clearTimeout(timer);
  }
}
