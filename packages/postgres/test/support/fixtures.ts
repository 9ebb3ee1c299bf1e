import { AsyncLocalStorage } from 'node:async_hooks';
import { defineTopic } from '@milkyway/events';
import { type Context, type ContextManager, context, ROOT_CONTEXT } from '@opentelemetry/api';
import { z } from 'zod';

/** A keyed topic: `seq` is the producer's own per-key counter, to compare with effects. */
export const orderPlaced = defineTopic({
  name: 'order.placed',
  version: 1,
  schema: z.object({ orderId: z.string(), seq: z.number().int().nonnegative() }),
  key: (order) => order.orderId,
});

/** The table every test consumer writes its effects into. */
export const EFFECTS_TABLE = `CREATE TABLE IF NOT EXISTS effects (
  n bigserial PRIMARY KEY, key text NOT NULL, seq integer NOT NULL, event_id text NOT NULL
)`;

/** A minimal AsyncLocalStorage context manager, so `context.with` works in tests. */
export function installContextManager(): () => void {
  const storage = new AsyncLocalStorage<Context>();
  const manager: ContextManager = {
    active: () => storage.getStore() ?? ROOT_CONTEXT,
    with: (ctx, fn, thisArg, ...args) => storage.run(ctx, () => fn.call(thisArg, ...args)),
    bind: (_ctx, target) => target,
    enable() {
      return this;
    },
    disable() {
      return this;
    },
  };
  context.setGlobalContextManager(manager);
  return () => context.disable();
}
