// Any Hono middleware plugs in; middleware can describe itself in the OpenAPI document.
import { createService, withOpenApi } from '@milkyway/core';
import { bearerAuth } from 'hono/bearer-auth';
import { compress } from 'hono/compress';
import { etag } from 'hono/etag';
import { z } from 'zod';

export const adminAuth = withOpenApi(
  bearerAuth({ token: process.env.ADMIN_TOKEN ?? 'change-me' }),
  {
    securitySchemes: { admin: { type: 'http', scheme: 'bearer' } },
    security: [{ admin: [] }],
    responses: { 401: { description: 'Missing or wrong admin token' } },
  },
);

export const service = createService({
  name: 'admin',
  version: '1.0.0',
  openapi: true,
  cors: { origin: ['https://console.example'], credentials: true },
})
  .use(etag())
  .use(compress());

service.use('/admin/*', adminAuth); // documented on every /admin operation

service.post(
  '/admin/flush',
  {
    body: z.object({ cache: z.enum(['products', 'orders']) }),
    responses: { 202: z.object({ queued: z.boolean() }) },
  },
  (c) => c.json({ queued: c.req.valid('json').cache.length > 0 }, 202),
);
