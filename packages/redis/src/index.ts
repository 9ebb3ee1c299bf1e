export {
  type RedisCacheStore,
  type RedisCacheStoreOptions,
  redisCacheStore,
} from './cache-store.js';
export { createRedisClient, failFastRedisOptions, type RedisConnection } from './client.js';
export {
  type RedisRateLimitStore,
  type RedisRateLimitStoreOptions,
  redisRateLimitStore,
} from './rate-limit-store.js';
