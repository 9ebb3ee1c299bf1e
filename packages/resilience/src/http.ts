// @milkyway/resilience/http: the resilient HTTP client and the gateway proxy built on it.
export {
  type BoundContext,
  type FetchFunction,
  type HttpClient,
  type HttpClientOptions,
  type HttpRequestOptions,
  httpClient,
  type JsonRequestOptions,
} from './http/client.js';
export { stripHopByHop } from './http/hop-by-hop.js';
export { type ProxyOptions, proxy } from './http/proxy.js';
export { RequestTooLargeError } from './http/request-too-large-error.js';
export { ResponseTooLargeError } from './http/response-too-large-error.js';
export { ResponseValidationError } from './http/response-validation-error.js';
export type { ResponseSchema } from './http/schema.js';
export { UpstreamConnectionError } from './http/upstream-connection-error.js';
export { UpstreamResponseError } from './http/upstream-response-error.js';
