// Health checks and shutdown hooks.
import { createService } from '@milkyway/core';

interface Pool {
  query(sql: string, options: { signal: AbortSignal }): Promise<unknown>;
  end(): Promise<void>;
}
declare const pool: Pool;
declare const queue: { close(): Promise<void> };

export const service = createService({
  name: 'worker',
  version: '1.0.0',
  shutdownTimeoutMs: 20_000,
})
  // /readyz runs each check with its timeout and lists the states; 503 if one fails.
  .readiness('postgres', (signal) => pool.query('select 1', { signal }), { timeoutMs: 500 })
  // Hooks run after in-flight requests drained, in reverse order: queue first, then the pool.
  .onClose(() => pool.end())
  .onClose(() => queue.close());

export async function main() {
  const { url } = await service.listen({ port: 8080 });
  service.logger.info({ url }, 'ready');
}
