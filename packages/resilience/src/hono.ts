// @milkyway/resilience/hono: Hono middleware for inbound requests.
export { type LoadShedOptions, loadShed } from './hono/load-shed.js';
export { requestTimeout } from './hono/request-timeout.js';
