import type { Logger } from '@milkyway/protocol';
import type { RunningServer } from './node-server.js';

/**
 * Closes a Node server gracefully: it stops accepting connections, idle keep-alive sockets close
 * at once, responses not yet started announce `Connection: close`, in-flight requests get
 * `timeoutMs` to finish, then the remaining sockets are closed. Resolves once the server is closed.
 * @internal
 */
export async function closeNodeServer(
  running: RunningServer,
  timeoutMs: number,
  logger: Logger,
): Promise<void> {
  const { server, connections } = running;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  const drained = await connections.drain(timeoutMs);
  if (!drained) {
    logger.warn(
      { connections: connections.size },
      'shutdown timeout: closing remaining connections',
    );
  }
  server.closeAllConnections();
  await closed;
}
