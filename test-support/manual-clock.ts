/**
 * A clock that moves only when a test says so: pass `clock` wherever a Milkyway component
 * takes one (protocol 8), then `advance(ms)` instead of sleeping.
 */
export function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return {
    clock: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}
