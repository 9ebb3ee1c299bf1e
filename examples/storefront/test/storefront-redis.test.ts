import { randomUUID } from 'node:crypto';
import { describe } from 'vitest';
import { serviceAvailable } from '../../../test-support/services.js';
import { storefrontSuite } from './suite.js';

const redisUp = await serviceAvailable('redis', 6379);

describe.runIf(redisUp)('with REDIS_URL', () => {
  // Two gateway replicas share one rate limit (the suite's 429 test spreads its burst over
  // both and expects exactly one budget), and the catalog caches in Redis. A fresh key
  // prefix keeps runs apart.
  storefrontSuite('the storefront with Redis and two gateway replicas', {
    gatewayReplicas: 2,
    env: { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_KEY_PREFIX: `e2e-${randomUUID()}:` },
  });
});
