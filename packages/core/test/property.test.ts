import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createService, silentLogger } from '../src/index.js';

function build() {
  const service = createService({
    name: 'prop',
    version: '0',
    logger: silentLogger,
    bodyLimit: 4096,
  });
  service.post(
    '/orders/:id',
    {
      params: z.object({ id: z.string().regex(/^[a-z0-9-]{1,20}$/) }),
      query: z.object({
        dryRun: z.stringbool().optional(),
        limit: z.coerce.number().int().min(1).max(100).optional(),
      }),
      headers: z.object({ 'x-tenant': z.string().min(1).optional() }),
      body: z.object({
        items: z
          .array(z.object({ sku: z.string().min(1), quantity: z.number().int().positive() }))
          .min(1),
        note: z.string().max(200).optional(),
      }),
      responses: { 201: z.object({ id: z.string(), count: z.number() }) },
    },
    (c) => c.json({ id: c.req.valid('param').id, count: c.req.valid('json').items.length }, 201),
  );
  return service;
}

const headerName = fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/);
const headerValue = fc.string({ maxLength: 40 }).filter((s) => /^[\x20-\x7e]*$/.test(s));
const contentTypes = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/problem+json',
  '',
);
const jsonish = fc.oneof(
  fc.json(),
  fc.string(),
  fc
    .record({
      items: fc.array(
        fc.record({ sku: fc.string(), quantity: fc.oneof(fc.integer(), fc.double(), fc.string()) }),
        { maxLength: 4 },
      ),
      note: fc.option(fc.string(), { nil: undefined }),
    })
    .map((v) => JSON.stringify(v)),
  fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes).toString('latin1')),
);

describe('a typed route under random input', () => {
  it('answers only 2xx or 4xx (never 5xx, never a hang) to random bodies, queries and headers', async () => {
    const service = build();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(fc.stringMatching(/^[a-z0-9-]{1,20}$/), fc.string({ maxLength: 30 })),
        fc.array(fc.tuple(fc.string({ maxLength: 10 }), fc.string({ maxLength: 10 })), {
          maxLength: 5,
        }),
        fc.dictionary(headerName, headerValue, { maxKeys: 4 }),
        contentTypes,
        fc.option(jsonish, { nil: undefined }),
        fc.constantFrom('POST', 'GET', 'PUT', 'DELETE', 'PATCH'),
        async (id, query, headers, contentType, body, method) => {
          const search = new URLSearchParams(query).toString();
          const url = `http://local/orders/${encodeURIComponent(id)}${search ? `?${search}` : ''}`;
          const init: RequestInit = { method, headers: { ...headers } };
          if (contentType) (init.headers as Record<string, string>)['content-type'] = contentType;
          if (body !== undefined && method !== 'GET') init.body = body;
          const res = await service.request(url, init);
          await res.arrayBuffer();
          expect(res.status).toBeGreaterThanOrEqual(200);
          expect(res.status).toBeLessThan(500);
          if (res.status >= 400)
            expect(res.headers.get('content-type')).toBe('application/problem+json');
        },
      ),
      { numRuns: 300 },
    );
  });
});
