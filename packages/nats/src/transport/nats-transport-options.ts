import type { Logger } from '@milkyway/protocol';
import type { NatsConnection } from '@nats-io/transport-node';
import type { NatsConnectionConfig } from '../connection/nats-connection-config.js';
import type { ProvisioningMode, StreamSpec } from '../provisioning/specs.js';
import type { SubjectMapping } from './subject-mapping.js';

/**
 * Options of {@link natsTransport}.
 *
 * @example
 * ```ts
 * import type { NatsTransportOptions } from '@milkyway/nats';
 *
 * const options: NatsTransportOptions = {
 *   connection: { servers: ['nats://nats-1:4222', 'nats://nats-2:4222'], auth: { credsFile: '/run/secrets/orders.creds' } },
 *   provisioning: 'check',
 *   stream: { replicas: 3, duplicateWindowMs: 120_000, maxAgeMs: 7 * 24 * 3_600_000 },
 * };
 * ```
 */
export interface NatsTransportOptions {
  /**
   * Where to connect ({@link NatsConnectionConfig}), or a connection you opened yourself
   * (then `close()` leaves it open: it is yours).
   */
  connection: NatsConnectionConfig | NatsConnection;
  /**
   * `'create'` (default): streams and durable consumers are created (or updated) when first
   * used; `'check'`: they must exist as required, or publish/subscribe fail with a
   * `NatsProvisioningError` listing what is missing.
   */
  provisioning?: ProvisioningMode;
  /** Destinations to subjects, streams and durable names (default {@link defaultSubjectMapping}). */
  mapping?: SubjectMapping;
  /** Limits of the streams this transport creates (name and subjects come from `mapping`). */
  stream?: Omit<StreamSpec, 'name' | 'subjects'>;
  /** Messages out and unacknowledged per consumer group, across replicas (default 1 000). */
  maxAckPending?: number;
  /** How long a publish waits for the stream's acknowledgement, in ms (default 5 000). */
  publishTimeoutMs?: number;
  /** How long an ack/nak waits for the server's confirmation, in ms (default 5 000). */
  ackTimeoutMs?: number;
  /** How long one pull request waits on the server, in ms (default 5 000, at least 1 000). */
  pullExpiresMs?: number;
  /** Bodies larger than this are poison (`too-large`) at consume (default: no limit). */
  maxBodyBytes?: number;
  /** Where warnings go (pull retries, provisioning); secrets are never logged. */
  logger?: Logger;
}
