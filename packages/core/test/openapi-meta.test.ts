import type { MiddlewareHandler } from 'hono';
import { describe, expect, it } from 'vitest';
import { OPENAPI_META, readOpenApiMeta, withOpenApi } from '../src/index.js';

describe('withOpenApi', () => {
  it('returns the same middleware carrying the metadata under the shared symbol', () => {
    const mw: MiddlewareHandler = async (_c, next) => next();
    const meta = { security: [{ bearer: [] }] };
    expect(withOpenApi(mw, meta)).toBe(mw);
    expect((mw as unknown as Record<symbol, unknown>)[Symbol.for('milkyway.openapi')]).toEqual(
      meta,
    );
    expect(OPENAPI_META).toBe(Symbol.for('milkyway.openapi'));
  });

  it('merges metadata attached twice', () => {
    const mw: MiddlewareHandler = async (_c, next) => next();
    withOpenApi(mw, {
      securitySchemes: { a: { type: 'http', scheme: 'bearer' } },
      responses: { 401: { description: 'no' } },
    });
    withOpenApi(mw, { security: [{ a: ['x'] }], responses: { 403: { description: 'scope' } } });
    expect(readOpenApiMeta(mw)).toEqual({
      securitySchemes: { a: { type: 'http', scheme: 'bearer' } },
      security: [{ a: ['x'] }],
      responses: { 401: { description: 'no' }, 403: { description: 'scope' } },
    });
  });

  it('reads nothing from plain middleware', () => {
    expect(readOpenApiMeta(async () => {})).toBeUndefined();
    expect(readOpenApiMeta(undefined)).toBeUndefined();
  });
});
