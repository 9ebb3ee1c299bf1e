import { Hono } from 'hono';

/**
 * A bare Hono app that renders status-carrying errors the way core's protocol says
 * (problem+json, `headers` applied), so the middleware is tested on any Hono app.
 */
export function problemApp() {
  const app = new Hono();
  app.onError((err) => {
    const e = err as {
      status?: number;
      title?: string;
      detail?: string;
      headers?: Record<string, string>;
    };
    const status = typeof e.status === 'number' ? e.status : 500;
    const body = JSON.stringify({ status, title: e.title, detail: e.detail });
    return new Response(body, {
      status,
      headers: { 'content-type': 'application/problem+json', ...(e.headers ?? {}) },
    });
  });
  return app;
}
