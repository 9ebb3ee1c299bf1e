/**
 * Preloaded into every supervised service (`node --import`): when the supervisor goes away
 * (its IPC channel closes, even if it was SIGKILLed), the service shuts itself down gracefully
 * instead of living on as an orphan. Not part of any service's code.
 */
if (process.channel) {
  process.channel.unref();
  process.once('disconnect', () => {
    process.kill(process.pid, 'SIGTERM');
  });
}
