export {
  type HttpPushTransport,
  type HttpPushTransportOptions,
  httpPushTransport,
} from './http/http-push-transport.js';
export { PUSH_ATTEMPT_HEADER, PUSH_DESTINATION_HEADER } from './http/push-headers.js';
export type { ReceiverOptions } from './http/receiver.js';
