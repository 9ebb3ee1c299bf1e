export { connectNats } from './connection/connect-nats.js';
export { natsConfigFromEnv } from './connection/nats-config-from-env.js';
export type {
  NatsAuth,
  NatsConnectionConfig,
  NatsTls,
  SecretValue,
} from './connection/nats-connection-config.js';
export { describeNatsConfig, redactNatsUrl } from './connection/redaction.js';
export { NatsConnectError } from './errors/nats-connect-error.js';
export { NatsProvisioningError } from './errors/nats-provisioning-error.js';
export { NatsPublishError, type NatsPublishFailure } from './errors/nats-publish-error.js';
export { type ProvisioningPlan, provisionJetStream } from './provisioning/provision.js';
export type { ConsumerSpec, ProvisioningMode, StreamSpec } from './provisioning/specs.js';
export {
  type NatsTransport,
  natsTransport,
} from './transport/nats-transport.js';
export type { NatsTransportOptions } from './transport/nats-transport-options.js';
export {
  defaultSubjectMapping,
  type SubjectMapping,
} from './transport/subject-mapping.js';
