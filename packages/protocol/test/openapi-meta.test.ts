import { describe, expect, it } from 'vitest';
import { OPENAPI_META, readOpenApiMeta, withOpenApi } from '../src/index.js';

describe('withOpenApi', () => {
  it('merges into metadata a middleware already carries (the requireScopes regression)', () => {
    const guard = withOpenApi(async () => {}, {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      security: [{ bearer: ['a:b'] }],
      responses: { 401: { description: 'no token' } },
    });
    // Wrapping again must not throw "Cannot redefine property".
    const wrapped = withOpenApi(guard, { responses: { 429: { description: 'slow down' } } });
    expect(wrapped).toBe(guard);
    expect(readOpenApiMeta(wrapped)).toEqual({
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      security: [{ bearer: ['a:b'] }],
      responses: { 401: { description: 'no token' }, 429: { description: 'slow down' } },
    });
    expect(wrapped[OPENAPI_META]).toBe(readOpenApiMeta(wrapped));
  });

  it('reads nothing from values without metadata', () => {
    expect(readOpenApiMeta(() => {})).toBeUndefined();
    expect(readOpenApiMeta(42)).toBeUndefined();
  });
});
