/**
 * Preloaded into every supervised service (`node --import`): when the supervisor goes away
 * (its IPC channel closes, even if it was SIGKILLed), the service shuts itself down gracefully
 * instead of living on as an orphan. Not part of any service's code.
 *
 * Its stdout and stderr were the supervisor's, now closed: a write to them fails with EPIPE,
 * which must not become an uncaught error in the middle of the shutdown. And an orphan whose
 * shutdown has not ended within the grace (seen: with TRACE_FILE set, the main thread blocked
 * for good on the module loader's thread, where no timer of its own can fire) is killed by a
 * watchdog on a thread of its own, without the loader hooks: nobody else is left to stop it.
 */
import { Worker } from 'node:worker_threads';

const ORPHAN_GRACE_MS = Number(process.env.ORPHAN_GRACE_MS ?? 45_000);

if (process.channel) {
  process.channel.unref();
  process.once('disconnect', () => {
    for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);
    const watchdog = new Worker(
      `setTimeout(() => process.kill(${process.pid}, 'SIGKILL'), ${ORPHAN_GRACE_MS});`,
      { eval: true, execArgv: [], stdout: true, stderr: true },
    );
    watchdog.unref();
    process.kill(process.pid, 'SIGTERM');
  });
}
