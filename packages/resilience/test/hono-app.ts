import type { Logger, RequestVariables } from '@milkyway/protocol';
import { Hono } from 'hono';

type Vars = Pick<RequestVariables, 'signal' | 'deadline'> & { requestId: string; logger: Logger };

/**
 * A bare Hono app that renders errors the way @milkyway/core does (protocol 1: an error's
 * numeric `status` and `headers` become a problem+json response; its `detail` is shown only
 * when `expose`), so these tests need no core.
 */
export function app(vars: Partial<Vars> = {}) {
  const hono = new Hono<{ Variables: Vars }>();
  hono.use(async (c, next) => {
    if (vars.signal) c.set('signal', vars.signal);
    if (vars.deadline) c.set('deadline', vars.deadline);
    if (vars.requestId) c.set('requestId', vars.requestId);
    if (vars.logger) c.set('logger', vars.logger);
    await next();
  });
  hono.onError((error) => {
    const e = error as Error & {
      status?: number;
      headers?: Record<string, string>;
      detail?: string;
      expose?: boolean;
    };
    const status = typeof e.status === 'number' ? e.status : 500;
    const expose = typeof e.expose === 'boolean' ? e.expose : status < 500;
    const detail = expose ? (e.detail ?? e.message) : undefined;
    return new Response(JSON.stringify({ status, title: e.name, detail }), {
      status,
      headers: { 'content-type': 'application/problem+json', ...e.headers },
    });
  });
  return hono;
}
