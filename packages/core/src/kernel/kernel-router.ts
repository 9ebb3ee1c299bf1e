import type { Router as HonoRouter, Result } from 'hono/router';
import { RegExpRouter } from 'hono/router/reg-exp-router';
import { SmartRouter } from 'hono/router/smart-router';
import { TrieRouter } from 'hono/router/trie-router';
import type { RouterRoute } from 'hono/types';
import { setRouteHandler } from './hono-bridge.js';
import { type AnyHandler, type KernelSlot, withKernel } from './kernel.js';

type Entry = [AnyHandler, RouterRoute];

/**
 * The router of a service (given to Hono's public `router` option): Hono's default router, with every handler and middleware wrapped on the way
 * in so that whichever runs first for a request runs the kernel around the rest.
 *
 * Why not `app.use(kernel)`: any second handler sends Hono through `compose` (an async function
 * per step, a Promise for the response) and @hono/node-server off its synchronous path; that
 * hop alone cost ~1.2 µs of ~13 µs per hello request. Wrapped, a plain route still matches one
 * handler, and mounted sub-routers and `app.routes` carry the wrapper along (`r.handler` too).
 * @internal
 */
export class KernelRouter implements HonoRouter<Entry> {
  readonly #inner: HonoRouter<Entry>;
  readonly #slot: KernelSlot;

  /** @param slot - where the kernel is found (set once the service is built); `inner` defaults to Hono's own default router. */
  constructor(
    slot: KernelSlot,
    inner: HonoRouter<Entry> = new SmartRouter({
      routers: [new RegExpRouter(), new TrieRouter()],
    }),
  ) {
    this.#inner = inner;
    this.#slot = slot;
  }

  get name(): string {
    return this.#inner.name;
  }

  add(method: string, path: string, [handler, route]: Entry): void {
    const wrapped = withKernel(handler, this.#slot);
    setRouteHandler(route, wrapped);
    this.#inner.add(method, path, [wrapped, route]);
  }

  match(method: string, path: string): Result<Entry> {
    return this.#inner.match(method, path);
  }
}
