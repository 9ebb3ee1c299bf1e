import { type Counter, metrics } from '@opentelemetry/api';

/** The meter every core instrument comes from (a no-op until an SDK is registered). */
export function coreMeter() {
  return metrics.getMeter('@milkyway/core');
}

/** `milkyway.cache.requests`, one count a lookup, attribute `milkyway.cache.result`. */
export function cacheRequestsCounter(): Counter {
  return coreMeter().createCounter('milkyway.cache.requests', {
    description: 'Cache lookups by result (hit, miss, stale)',
    unit: '{request}',
  });
}
