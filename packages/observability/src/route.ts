import type { Context } from 'hono';
import { matchedRoutes } from 'hono/route';

/**
 * The route template that matched a request (`/products/:id`, never the raw path), read from
 * Hono's router. Call it in a middleware, before or after `await next()` (the router matched
 * every handler of the request before the chain runs), or inside a handler. Returns
 * `undefined` when no route handler matched (a 404 that only went through `use()` middleware).
 *
 * The template is the last matched route that is not a wildcard `use()`/`all()` middleware,
 * so a middleware that answers early (an auth guard returning 401) still reports the route of
 * the handler it protected, and sub-apps mounted with `app.route('/api', sub)` report the
 * full template (`/api/items/:id`).
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { routeTemplate } from '@milkyway/observability';
 *
 * const app = new Hono();
 * app.use(async (c, next) => {
 *   await next();
 *   console.log(routeTemplate(c)); // '/posts/:id' for GET /posts/42
 * });
 * app.get('/posts/:id', (c) => c.text('ok'));
 * ```
 */
export function routeTemplate(c: Context): string | undefined {
  let routes: ReturnType<typeof matchedRoutes>;
  try {
    routes = matchedRoutes(c);
  } catch {
    return undefined; // a context that did not come from Hono's router
  }
  for (let i = routes.length - 1; i >= 0; i--) {
    const route = routes[i]!;
    if (route.method !== 'ALL' || !route.path.endsWith('*')) return route.path;
  }
  return undefined;
}
