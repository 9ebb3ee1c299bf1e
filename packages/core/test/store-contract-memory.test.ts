import {
  cacheStoreContract,
  rateLimitStoreContract,
} from '../../../test-support/store-contracts.js';
import { memoryRateLimitStore, memoryStore } from '../src/index.js';

// Memory stores: each replica has its own memory, so nothing is shared across instances.
cacheStoreContract('memoryStore', () => ({
  instances: (n) => Array.from({ length: n }, () => memoryStore()),
  sharedAcrossInstances: false,
}));

rateLimitStoreContract('memoryRateLimitStore (one store per instance)', () => ({
  instances: (n) => Array.from({ length: n }, () => memoryRateLimitStore()),
  sharedAcrossInstances: false,
}));

rateLimitStoreContract('memoryRateLimitStore (instances in one process sharing it)', () => {
  const shared = memoryRateLimitStore();
  return { instances: (n) => Array.from({ length: n }, () => shared), sharedAcrossInstances: true };
});
