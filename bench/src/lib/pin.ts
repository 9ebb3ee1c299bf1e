import { execFileSync } from 'node:child_process';
import { cpus } from 'node:os';

/**
 * CPU pinning for the HTTP comparisons: where `taskset` exists and there are at least two
 * cores, the load generator (this process) runs on core 0 and every server on the others, so
 * the two stop taking each other's time slices and caches. Elsewhere nothing is pinned.
 */
function detect(): { server: string; load: string } | undefined {
  if (process.env.BENCH_PIN === 'off' || cpus().length < 2) return undefined;
  try {
    execFileSync('taskset', ['-V'], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return { load: '0', server: `1-${cpus().length - 1}` };
}

const pin = detect();

/** The core lists used, or undefined when not pinning. */
export const pinning = pin;

/** Pins the calling (load-generating) process once; a failure leaves it unpinned. */
export function pinLoadGenerator(): boolean {
  if (!pin) return false;
  try {
    execFileSync('taskset', ['-a', '-pc', pin.load, String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The command and arguments that start `command args` on the server cores. */
export function pinnedServer(command: string, args: string[]): [string, string[]] {
  return pin ? ['taskset', ['-c', pin.server, command, ...args]] : [command, args];
}
