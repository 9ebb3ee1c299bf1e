export { clientAddress, socketAddress, type TrustProxy } from './client-address.js';
export { type MemoryRateLimitStoreOptions, memoryRateLimitStore } from './memory-store.js';
export { type RateLimitKey, type RateLimitOptions, rateLimit } from './rate-limit.js';
export { RateLimitUnavailableError } from './rate-limit-unavailable-error.js';
export { RateLimitedError } from './rate-limited-error.js';
export type { RateLimitDecision, RateLimitPolicy, RateLimitStore } from './store.js';
