import type { ConsumerMiddleware, HandlerContext, ReceivedEvent } from './handler.js';

/** Runs the middleware chain, outermost first, with the handler at its end. */
export function runChain<Tx>(
  middleware: readonly ConsumerMiddleware<Tx>[],
  handler: (event: ReceivedEvent, ctx: HandlerContext<Tx>) => void | Promise<void>,
  event: ReceivedEvent,
  ctx: HandlerContext<Tx>,
): Promise<void> {
  let index = -1;
  const next = async (i: number): Promise<void> => {
    if (i <= index) throw new Error('next() called twice by a consumer middleware');
    index = i;
    const step = middleware[i];
    if (step) return step(event, ctx, () => next(i + 1));
    await handler(event, ctx);
  };
  return next(0);
}
