/**
 * The first key of every advisory lock this package takes (`pg_advisory_lock(int, int)` form),
 * so its locks never collide with an application's single-key advisory locks. ASCII "milk".
 */
export const LOCK_CLASS = 0x6d696c6b;

/** Quotes an identifier for SQL (`LISTEN "channel"`). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Rejects with the signal's reason when it aborts before `promise` settles. */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
