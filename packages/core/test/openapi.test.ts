import { Validator } from '@seriousme/openapi-schema-validator';
import type { MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRouter, createService, silentLogger, withOpenApi } from '../src/index.js';

const Product = z
  .object({ id: z.string(), name: z.string(), priceCents: z.number().int() })
  .meta({ id: 'Product' });

const bearer: MiddlewareHandler = async (_c, next) => next();
const jwtAuth = withOpenApi(bearer, {
  securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
  security: [{ bearer: [] }],
  responses: { 401: { description: 'Missing or invalid token' } },
});
const requireScopes = (...scopes: string[]) =>
  withOpenApi((async (_c, next) => next()) as MiddlewareHandler, {
    security: [{ bearer: scopes }],
    responses: { 403: { description: 'Missing scope' } },
  });

// Loose view of the generated JSON for assertions.
// biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON
type Json = Record<string, any>;

function build() {
  const service = createService({
    name: 'catalog',
    version: '1.4.0',
    logger: silentLogger,
    openapi: { description: 'The catalog', servers: [{ url: 'https://api.example' }] },
  });
  service.use('/v1/*', jwtAuth);
  const v1 = createRouter()
    .get(
      '/products/:id',
      {
        params: z.object({ id: z.string().min(1).describe('product id') }),
        query: z.object({ currency: z.enum(['EUR', 'USD']).optional() }),
        responses: { 200: Product, 404: { description: 'No such product' } },
        tags: ['products'],
        summary: 'Get a product',
      },
      requireScopes('catalog:read'),
      (c) => c.json({ id: c.req.valid('param').id, name: 'n', priceCents: 1 }, 200),
    )
    .post(
      '/products',
      {
        body: z.object({ name: z.string(), priceCents: z.number().int() }),
        responses: { 201: Product },
        operationId: 'createProduct',
        tags: ['products'],
      },
      (c) => c.json({ id: 'p', ...c.req.valid('json') }, 201),
    )
    .delete('/products/:id', { responses: { 204: { description: 'Deleted' } } }, (c) =>
      c.body(null, 204),
    );
  service.route('/v1', v1);
  service.get('/plain', (c) => c.text('plain'));
  return service;
}

describe('OpenAPI', () => {
  it('produces a document that a real OpenAPI 3.1 validator accepts', async () => {
    const validator = new Validator();
    const result = await validator.validate(build().openapi() as never);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('serves the document at /openapi.json when enabled', async () => {
    const res = await build().request('/openapi.json');
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.info).toEqual({ title: 'catalog', version: '1.4.0', description: 'The catalog' });
    expect(doc.servers).toEqual([{ url: 'https://api.example' }]);
  });

  it('does not serve the document unless enabled', async () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    expect((await service.request('/openapi.json')).status).toBe(404);
  });

  it('describes mounted typed routes with their parameters, body and responses', () => {
    const doc = build().openapi();
    const get = doc.paths['/v1/products/{id}']?.get as Json;
    expect(get.operationId).toBe('getV1ProductsById');
    expect(get.tags).toEqual(['products']);
    expect(get.parameters).toEqual([
      {
        name: 'id',
        in: 'path',
        required: true,
        schema: expect.objectContaining({ type: 'string' }),
        description: 'product id',
      },
      {
        name: 'currency',
        in: 'query',
        required: false,
        schema: expect.objectContaining({ enum: ['EUR', 'USD'] }),
      },
    ]);
    expect(get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Product',
    });
    expect(doc.components.schemas.Product).toMatchObject({
      type: 'object',
      required: ['id', 'name', 'priceCents'],
    });
    const post = doc.paths['/v1/products']?.post as Json;
    expect(post.operationId).toBe('createProduct');
    expect(post.requestBody.content['application/json'].schema.required).toEqual([
      'name',
      'priceCents',
    ]);
    const del = doc.paths['/v1/products/{id}']?.delete as Json;
    expect(del.responses['204']).toEqual({ description: 'Deleted' });
  });

  it('lists problem+json error responses', () => {
    const get = build().openapi().paths['/v1/products/{id}']?.get as Json;
    expect(get.responses['400'].content['application/problem+json'].schema).toEqual({
      $ref: '#/components/schemas/ValidationProblem',
    });
    expect(get.responses['404'].description).toBe('No such product');
    expect(get.responses.default.content['application/problem+json']).toBeDefined();
    const post = build().openapi().paths['/v1/products']?.post as Json;
    expect(Object.keys(post.responses)).toEqual(expect.arrayContaining(['413', '415']));
  });

  it('gives a declared error response without a schema its problem+json content', () => {
    const get = build().openapi().paths['/v1/products/{id}']?.get as Json;
    expect(get.responses['404']).toEqual({
      description: 'No such product',
      content: {
        'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
      },
    });
  });

  it('describes a 400 that may come without errors (a body that is not JSON at all)', async () => {
    const service = build();
    const res = await service.request('/v1/products', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name": ',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as Json;
    expect(body.errors).toBeUndefined();
    const schemas = service.openapi().components.schemas as Json;
    expect(schemas.ValidationProblem.allOf[1].required ?? []).not.toContain('errors');
  });

  it('merges security schemes and requirements declared by middleware', () => {
    const doc = build().openapi();
    expect(doc.components.securitySchemes).toEqual({
      bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
    });
    const get = doc.paths['/v1/products/{id}']?.get as Json;
    expect(get.security).toEqual([{ bearer: ['catalog:read'] }]);
    expect(get.responses['401'].content['application/problem+json']).toBeDefined();
    expect(get.responses['403'].description).toBe('Missing scope');
    const plain = doc.paths['/plain']?.get as Json;
    expect(plain.security).toBeUndefined();
  });

  it('leaves health and the document itself out', () => {
    const paths = Object.keys(build().openapi().paths);
    expect(paths).not.toContain('/livez');
    expect(paths).not.toContain('/openapi.json');
  });
});
