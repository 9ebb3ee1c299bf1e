// Protocol 4: the guards carry their OpenAPI metadata through @milkyway/protocol's withOpenApi,
// so a user can add to it (issue 14: auth used to define the property non-configurable, and
// `withOpenApi(requireScopes('a:b'), {...})` threw "Cannot redefine property" at start-up).
import { withOpenApi as coreWithOpenApi } from '@milkyway/core';
import { readOpenApiMeta, withOpenApi } from '@milkyway/protocol';
import { describe, expect, it } from 'vitest';
import { apiKeyAuth, authorize, jwtAuth, requireRoles, requireScopes } from '../src/index.js';
import { AUDIENCE, ISSUER, testKey } from './helpers.js';

const key = await testKey('ES256');
const extra = {
  responses: { 429: { description: 'Too many requests' } },
  security: [{ apiKey: [] }],
};

describe('OpenAPI metadata on the guards', () => {
  it('merges a withOpenApi from @milkyway/protocol into requireScopes instead of throwing', () => {
    const guard = withOpenApi(requireScopes('a:b'), extra);
    expect(readOpenApiMeta(guard)).toMatchObject({
      security: [{ bearerAuth: ['a:b'] }, { apiKey: [] }],
      responses: { 401: expect.any(Object), 403: expect.any(Object), 429: extra.responses[429] },
      securitySchemes: { bearerAuth: expect.any(Object) },
    });
  });

  it('merges a withOpenApi re-exported by @milkyway/core the same way', () => {
    const guard = coreWithOpenApi(requireScopes('a:b'), extra);
    expect(readOpenApiMeta(guard)?.security).toEqual([{ bearerAuth: ['a:b'] }, { apiKey: [] }]);
  });

  it('lets every auth middleware be wrapped twice', () => {
    const middleware = [
      jwtAuth({
        jwks: { keys: [key.jwk] },
        algorithms: ['ES256'],
        issuer: ISSUER,
        audience: AUDIENCE,
      }),
      apiKeyAuth({ keys: [], lookup: () => null }),
      requireRoles('admin'),
      authorize(() => true),
    ];
    for (const m of middleware) {
      const wrapped = withOpenApi(withOpenApi(m, extra), {
        responses: { 418: { description: 'x' } },
      });
      expect(readOpenApiMeta(wrapped)?.responses).toHaveProperty('418');
      expect(readOpenApiMeta(wrapped)?.responses).toHaveProperty('401');
    }
  });
});
