import { requireScopes } from '@milkyway/auth';
import { withOpenApi as protocolWithOpenApi } from '@milkyway/protocol';
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

describe('withOpenApi on a guard that already carries metadata', () => {
  it('merges into a guard built with the protocol withOpenApi instead of throwing', () => {
    // A stand-in for an auth guard: its own metadata attached with the protocol's withOpenApi.
    const guard: MiddlewareHandler = protocolWithOpenApi(async (_c, next) => next(), {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      security: [{ bearer: ['a:b'] }],
      responses: { 403: { description: 'Missing scope' } },
    });
    expect(() =>
      withOpenApi(guard, { responses: { 429: { description: 'Too many requests' } } }),
    ).not.toThrow();
    expect(readOpenApiMeta(guard)).toEqual({
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      security: [{ bearer: ['a:b'] }],
      responses: {
        403: { description: 'Missing scope' },
        429: { description: 'Too many requests' },
      },
    });
  });

  it('merges into @milkyway/auth requireScopes instead of throwing "Cannot redefine property"', () => {
    const guard = requireScopes('a:b');
    expect(() =>
      withOpenApi(guard, { responses: { 429: { description: 'Too many requests' } } }),
    ).not.toThrow();
    const meta = readOpenApiMeta(guard);
    expect(Object.values(meta?.security?.[0] ?? {})).toEqual([['a:b']]);
    expect(meta?.responses?.[429]).toEqual({ description: 'Too many requests' });
  });
});
