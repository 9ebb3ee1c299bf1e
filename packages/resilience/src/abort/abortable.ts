/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts, whichever
 * comes first. The operation itself is not cancelled (a promise cannot be); use it to stop
 * *waiting* for work that has no signal of its own, such as a driver's query or a flush.
 * Without a signal it returns `promise` unchanged; the abort listener is removed when the
 * promise settles, so a long-lived signal does not collect listeners.
 *
 * @example
 * ```ts
 * import { abortable } from '@milkyway/resilience';
 *
 * const slowQuery = new Promise<number>((resolve) => setTimeout(() => resolve(1), 10_000));
 * // Rejects with a TimeoutError after 100 ms; slowQuery keeps running in the background.
 * await abortable(slowQuery, AbortSignal.timeout(100)).catch((error: Error) => error.name);
 * ```
 */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) {
    // The caller gave up before we started: the promise's own rejection is of no interest.
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
