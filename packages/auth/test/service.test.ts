// jwtAuth and the guards inside a real @milkyway/core service: problem+json rendering and the
// OpenAPI document (protocols 1 and 4).
import { createService, silentLogger } from '@milkyway/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jwtAuth, requireScopes } from '../src/index.js';
import { AUDIENCE, bearer, claims, ISSUER, sign, testClock, testKey } from './helpers.js';

const key = await testKey('ES256');

function catalog() {
  const service = createService({
    name: 'catalog',
    version: '1.0.0',
    logger: silentLogger,
    openapi: true,
  });
  service.use(
    jwtAuth({
      jwks: { keys: [key.jwk] },
      algorithms: ['ES256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      clock: testClock(),
    }),
  );
  service.get(
    '/products/:id',
    { params: z.object({ id: z.string() }), responses: { 200: z.object({ id: z.string() }) } },
    requireScopes('catalog:read'),
    (c) => c.json({ id: c.req.valid('param').id }, 200),
  );
  service.delete(
    '/products/:id',
    { params: z.object({ id: z.string() }), responses: { 204: { description: 'deleted' } } },
    requireScopes('catalog:write'),
    (c) => c.body(null, 204),
  );
  return service;
}

describe('in a core service', () => {
  it('serves an authorised request', async () => {
    const res = await catalog().request('/products/1', bearer(await sign(key)));
    expect(res.status).toBe(200);
  });

  it('renders a refused token as problem+json with the Bearer challenge', async () => {
    const res = await catalog().request(
      '/products/1',
      bearer(await sign(key, claims({ iss: 'https://evil.example/' }))),
    );
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    const body = await res.json();
    expect(body).toMatchObject({
      status: 401,
      title: 'Unauthorized',
      detail: 'invalid credentials',
    });
    expect(JSON.stringify(body)).not.toMatch(/issuer|reason/);
  });

  it('renders a missing scope as a 403 problem with insufficient_scope', async () => {
    const res = await catalog().request('/products/1', {
      method: 'DELETE',
      ...bearer(await sign(key)),
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.headers.get('www-authenticate')).toBe(
      'Bearer error="insufficient_scope", scope="catalog:write"',
    );
  });

  it('documents the bearer scheme and each route’s scopes in OpenAPI', () => {
    const doc = catalog().openapi() as {
      components?: { securitySchemes?: Record<string, unknown> };
      paths: Record<
        string,
        Record<string, { security?: unknown; responses: Record<string, unknown> }>
      >;
    };
    expect(doc.components?.securitySchemes?.bearerAuth).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    const path = Object.keys(doc.paths).find((p) => p.startsWith('/products'))!;
    expect(doc.paths[path]!.get!.security).toEqual([{ bearerAuth: ['catalog:read'] }]);
    expect(doc.paths[path]!.delete!.security).toEqual([{ bearerAuth: ['catalog:write'] }]);
    expect(doc.paths[path]!.get!.responses).toHaveProperty('403');
  });
});
