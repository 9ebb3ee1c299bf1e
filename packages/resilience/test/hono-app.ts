import type { RequestVariables } from '@milkyway/protocol';
import { Hono } from 'hono';

type RequestContextVariables = Pick<RequestVariables, 'signal' | 'deadline'>;

/**
 * A bare Hono app that renders errors the way @milkyway/core does (protocol 1: an error's
 * numeric `status` and `headers` become a problem+json response), so these tests need no core.
 */
export function app(vars: Partial<RequestContextVariables & { requestId: string }> = {}) {
  const hono = new Hono<{ Variables: RequestContextVariables & { requestId: string } }>();
  hono.use(async (c, next) => {
    if (vars.signal) c.set('signal', vars.signal);
    if (vars.deadline) c.set('deadline', vars.deadline);
    if (vars.requestId) c.set('requestId', vars.requestId);
    await next();
  });
  hono.onError((error) => {
    const e = error as Error & { status?: number; headers?: Record<string, string> };
    const status = typeof e.status === 'number' ? e.status : 500;
    return new Response(JSON.stringify({ status, title: e.name, detail: e.message }), {
      status,
      headers: { 'content-type': 'application/problem+json', ...e.headers },
    });
  });
  return hono;
}
