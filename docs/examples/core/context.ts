// The request context: request id, deadline and signal, passed on to downstream calls.
import {
  createService,
  HttpError,
  propagationHeaders,
  remainingMs,
  type ServiceEnv,
} from '@milkyway/core';
import { createMiddleware } from 'hono/factory';

export const service = createService({
  name: 'gateway',
  version: '1.0.0',
  deadline: { defaultMs: 10_000, maxMs: 60_000 },
});

// Your own middleware sees the same typed variables.
export const audit = createMiddleware<ServiceEnv>(async (c, next) => {
  await next();
  c.var.logger.info({ requestId: c.var.requestId, status: c.res.status }, 'audited');
});

service.use(audit);

service.get('/inventory', async (c) => {
  if (remainingMs(c) < 50) throw new HttpError(503, 'not enough time left');
  // The signal aborts when the client goes away or the deadline passes; the headers carry the
  // request id and the remaining budget (x-deadline-ms) to the next service.
  const res = await fetch('http://inventory.internal/items', {
    signal: c.var.signal,
    headers: propagationHeaders(c),
  });
  return c.json(await res.json());
});
