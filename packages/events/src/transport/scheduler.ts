/**
 * Timers, injectable so that tests move time by hand (or use vitest fake timers, which replace
 * the global ones this defaults to).
 *
 * @example
 * ```ts
 * import type { Scheduler } from '@milkyway/events';
 *
 * const scheduler: Scheduler = {
 *   setTimeout: (fn, ms) => setTimeout(fn, ms),
 *   clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
 * };
 * ```
 */
export interface Scheduler {
  /** Calls `fn` after `ms`; returns a handle for `clearTimeout`. */
  setTimeout(fn: () => void, ms: number): unknown;
  /** Cancels a pending call. */
  clearTimeout(handle: unknown): void;
}

/** The global timers, unref'd so that a pending redelivery never keeps a process alive. */
export const globalScheduler: Scheduler = {
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout(handle) {
    clearTimeout(handle as ReturnType<typeof setTimeout>);
  },
};
