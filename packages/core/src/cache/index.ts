export { type Cache, type CacheOptions, type CacheSetOptions, createCache } from './cache.js';
export { type MemoryStoreOptions, memoryStore } from './memory-store.js';
export { type CachedResponse, type ResponseCacheOptions, responseCache } from './response-cache.js';
export { jsonSerializer, type Serializer } from './serializer.js';
export type { CacheStore } from './store.js';
