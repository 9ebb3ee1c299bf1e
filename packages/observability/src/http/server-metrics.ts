import { type Attributes, type Histogram, ValueType } from '@opentelemetry/api';
import { instrumentCache } from '../instrumentation.js';
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_STATUS_CLASS,
  ATTR_URL_SCHEME,
  errorType,
  HTTP_DURATION_BUCKETS,
  METRIC_HTTP_SERVER_ACTIVE_REQUESTS,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
  statusClass,
} from '../semconv.js';

/** In-flight requests of one method and scheme. @internal */
export interface InFlight {
  attributes: Attributes;
  count: number;
}

/**
 * In-flight requests by method and scheme. Counted in plain numbers and reported when the SDK
 * collects (an asynchronous up-down counter): two synchronous `add()` calls per request would
 * cost more than the rest of the middleware.
 */
const inFlight = new Map<string, InFlight>();

/** The in-flight counter of a method and scheme. @internal */
export function inFlightEntry(method: string, scheme: string): InFlight {
  const key = scheme === 'https' ? `${method} s` : method;
  let entry = inFlight.get(key);
  if (entry === undefined) {
    entry = {
      attributes: Object.freeze({ [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_URL_SCHEME]: scheme }),
      count: 0,
    };
    inFlight.set(key, entry);
  }
  return entry;
}

/**
 * The HTTP server instruments of the current global meter provider; `undefined` while none is
 * registered.
 * @internal
 */
export const serverInstruments = instrumentCache((meter) => {
  meter
    .createObservableUpDownCounter(METRIC_HTTP_SERVER_ACTIVE_REQUESTS, {
      description: 'Number of active HTTP server requests.',
      unit: '{request}',
      valueType: ValueType.INT,
    })
    .addCallback((result) => {
      for (const entry of inFlight.values()) result.observe(entry.count, entry.attributes);
    });
  return {
    duration: meter.createHistogram(METRIC_HTTP_SERVER_REQUEST_DURATION, {
      description: 'Duration of HTTP server requests.',
      unit: 's',
      valueType: ValueType.DOUBLE,
      advice: { explicitBucketBoundaries: [...HTTP_DURATION_BUCKETS] },
    }),
  };
});

/**
 * Attribute sets of `http.server.request.duration`, built once per method, scheme, route,
 * status and error type and reused (frozen) for every later request with the same outcome.
 * Bounded: past `MAX_ATTRIBUTE_SETS` distinct sets, new ones are built per request.
 */
const attributeSets = new Map<string, Attributes>();
const MAX_ATTRIBUTE_SETS = 4096;

/** Records one request duration. @internal */
export function recordDuration(
  duration: Histogram,
  elapsedMs: number,
  method: string,
  scheme: string,
  outcome: { status: number; route: string | undefined; error: unknown; escaped: boolean },
): void {
  const { status, route, error, escaped } = outcome;
  let type: string | undefined;
  if (escaped) type = errorType(error);
  else if (status >= 500) type = error !== undefined ? errorType(error) : String(status);
  const key = `${method} ${scheme} ${status} ${route ?? ''} ${type ?? ''}`;
  let attributes = attributeSets.get(key);
  if (attributes === undefined) {
    attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_URL_SCHEME]: scheme,
      [ATTR_HTTP_RESPONSE_STATUS_CODE]: status,
      [ATTR_STATUS_CLASS]: statusClass(status),
    };
    if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route;
    if (type !== undefined) attributes[ATTR_ERROR_TYPE] = type;
    Object.freeze(attributes);
    if (attributeSets.size < MAX_ATTRIBUTE_SETS) attributeSets.set(key, attributes);
  }
  duration.record(elapsedMs / 1000, attributes);
}
