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
export {
  NatsUnavailableError,
  type NatsUnavailableReason,
} from './errors/nats-unavailable-error.js';
export { type ProvisioningPlan, provisionJetStream } from './provisioning/provision.js';
export type { ConsumerSpec, ProvisioningMode, StreamSpec } from './provisioning/specs.js';
