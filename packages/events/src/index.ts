export {
  type AsyncApiDocument,
  type AsyncApiOptions,
  asyncApiDocument,
  asyncApiHandler,
} from './asyncapi/document.js';
export {
  createEventBus,
  type EventBus,
  type EventBusOptions,
  type PublishEventOptions,
} from './bus/event-bus.js';
export type { ReplayOptions, ReplayResult } from './bus/replay.js';
export {
  CLOUDEVENTS_SPEC_VERSION,
  type CloudEventAttributes,
  JSON_CONTENT_TYPE,
} from './cloudevents/attributes.js';
export {
  type BinaryMessage,
  type DecodeBinaryOptions,
  decodeBinary,
  encodeBinary,
  type ProtocolBinding,
} from './cloudevents/binary-mode.js';
export {
  type CreateCloudEventOptions,
  createCloudEvent,
} from './cloudevents/create-event.js';
export type { DecodeResult } from './cloudevents/decode-result.js';
export type { CloudEventEnvelope } from './cloudevents/envelope.js';
export type { PoisonReason } from './cloudevents/poison.js';
export type { RetryPolicy } from './consumer/backoff.js';
export type { Consumer } from './consumer/consumer.js';
export type { ConsumerOptions } from './consumer/consumer-options.js';
export { type DeadLetter, type DeadLetterReason, deadLetterTopic } from './consumer/dead-letter.js';
export type {
  ConsumerMiddleware,
  EventHandler,
  EventOf,
  HandlerContext,
  ReceivedEvent,
} from './consumer/handler.js';
export { EventSchemaError } from './errors/event-schema-error.js';
export { PublishError } from './errors/publish-error.js';
export type { Inbox, InboxKey, InboxOutcome } from './inbox.js';
export { type MemoryInbox, type MemoryInboxOptions, memoryInbox } from './memory-inbox.js';
export {
  type AttachEventBusOptions,
  attachEventBus,
  type ServiceLifecycle,
} from './service/attach.js';
export {
  defineTopic,
  type Topic,
  type TopicDefinition,
  type TopicInput,
  type TopicParseResult,
  type TopicPayload,
} from './topic.js';
export {
  createMemoryBroker,
  type MemoryBroker,
  type MemoryBrokerOptions,
  type MemoryTransport,
  memoryTransport,
} from './transport/memory-transport.js';
export type { Scheduler } from './transport/scheduler.js';
export type {
  Delivery,
  DeliveryHandler,
  PublishOptions,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportHealth,
} from './transport/transport.js';
