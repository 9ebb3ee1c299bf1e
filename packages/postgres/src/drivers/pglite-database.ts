import type { PGlite } from '@electric-sql/pglite';
import { abortable } from '@milkyway/resilience';
import { asDatabaseError } from '../errors/classify.js';
import type { Database, DatabaseLock } from '../sql-client.js';

/**
 * Options of {@link pgliteDatabase}.
 *
 * @example
 * ```ts
 * import type { PgliteDatabaseOptions } from '@milkyway/postgres/pglite';
 *
 * const options: PgliteDatabaseOptions = { closeOnClose: false };
 * ```
 */
export interface PgliteDatabaseOptions {
  /** Whether `close()` closes the PGlite instance (default `true`). */
  closeOnClose?: boolean;
}

/**
 * Locks held per PGlite instance. PGlite is one backend: its advisory locks are re-entrant for
 * every caller, so exclusivity between relays of one process is kept here instead.
 */
const heldLocks = new WeakMap<PGlite, Set<string>>();

/**
 * Wraps an in-process PGlite (PostgreSQL compiled to WASM) as a {@link Database}: the embedded
 * default for demos, tests and single-process apps. LISTEN/NOTIFY works in-process. Several
 * processes can share one PGlite through `@electric-sql/pglite-socket`: they connect with
 * `pgDatabase` (notifications do not cross the socket there, so relays poll, and advisory locks
 * are shared: run one relay).
 *
 * @example
 * ```ts
 * import { PGlite } from '@electric-sql/pglite';
 * import { pgliteDatabase } from '@milkyway/postgres/pglite';
 *
 * const db = pgliteDatabase(await PGlite.create());
 * await db.ping();
 * await db.close();
 * ```
 */
export function pgliteDatabase(pglite: PGlite, options: PgliteDatabaseOptions = {}): Database {
  const held = heldLocks.get(pglite) ?? new Set<string>();
  heldLocks.set(pglite, held);
  let closed: Promise<void> | undefined;
  const mapped = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw asDatabaseError(error);
    }
  };

  return {
    driver: 'pglite',
    query: (text, params) => mapped(() => pglite.query(text, params)),
    transaction: (work) => mapped(() => pglite.transaction((tx) => work(tx))),
    async tryLock(name) {
      if (held.has(name)) return undefined;
      held.add(name);
      const controller = new AbortController();
      let released = false;
      const lock: DatabaseLock = {
        signal: controller.signal,
        async release() {
          if (released) return;
          released = true;
          held.delete(name);
        },
      };
      return lock;
    },
    async listen(channel, onNotify) {
      const stop = await mapped(() => pglite.listen(channel, onNotify));
      return async () => {
        if (!pglite.closed) await stop();
      };
    },
    ping: (signal) => mapped(() => abortable(pglite.query('SELECT 1'), signal)).then(() => {}),
    close() {
      if (options.closeOnClose === false) return Promise.resolve();
      closed ??= pglite.closed ? Promise.resolve() : pglite.close();
      return closed;
    },
  };
}
