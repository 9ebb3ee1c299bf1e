import { vi } from 'vitest';

/** Lets queued microtasks and I/O callbacks run (setImmediate stays real under our fake timers). */
export const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Waits (bounded: 2 000 turns of the event loop, no wall clock) until `condition` holds. */
export async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if (condition()) return;
    await tick();
  }
  throw new Error(`timed out waiting until ${what}`);
}

/** Fake setTimeout/Date only: setImmediate stays real so `until` can yield. */
export function useFakeTime(): void {
  vi.useFakeTimers({
    toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'],
  });
}

/** Moves fake time by `ms`, letting the work each timer starts run in between. */
export async function advance(ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await tick();
}
