/**
 * A stream the service needs: its name and the subjects it stores, with the few limits that
 * matter for events. Durations are in ms (converted to the server's nanoseconds).
 *
 * @example
 * ```ts
 * import type { StreamSpec } from '@milkyway/nats';
 *
 * const orders: StreamSpec = { name: 'ORDERS', subjects: ['events.orders.>'], duplicateWindowMs: 120_000 };
 * ```
 */
export interface StreamSpec {
  /** Stream name (letters, digits, `-`, `_`). */
  name: string;
  /** Subjects stored in the stream (wildcards allowed). */
  subjects: readonly string[];
  /** How long the broker remembers a `Nats-Msg-Id` to drop a re-published copy (default 2 min). */
  duplicateWindowMs?: number;
  /** Oldest message kept, in ms; `0` keeps forever (default 0, limited by size instead). */
  maxAgeMs?: number;
  /** Largest stored message in bytes (default: the server's `max_payload`). */
  maxMessageBytes?: number;
  /** `'file'` (default, survives restarts) or `'memory'`. */
  storage?: 'file' | 'memory';
  /** Copies kept in a cluster (default 1; 3 in production clusters). */
  replicas?: number;
}

/**
 * A durable pull consumer: one per consumer group on a stream; every replica of the service
 * pulls from it, so they share the work.
 *
 * @example
 * ```ts
 * import type { ConsumerSpec } from '@milkyway/nats';
 *
 * const stock: ConsumerSpec = {
 *   stream: 'ORDERS',
 *   durable: 'stock',
 *   filterSubject: 'events.orders.placed',
 *   ackWaitMs: 30_000,
 *   maxDeliver: 5,
 * };
 * ```
 */
export interface ConsumerSpec {
  /** The stream it reads. */
  stream: string;
  /** The durable name (the consumer group). */
  durable: string;
  /** Only messages on this subject (2.9 servers take one filter subject). */
  filterSubject?: string;
  /** How long a delivered message may stay unacknowledged before redelivery, in ms (default 30 s). */
  ackWaitMs?: number;
  /** Deliveries before the broker gives up on a message; `-1` is unlimited (default -1). */
  maxDeliver?: number;
  /** Messages delivered and not yet acknowledged, across all replicas (default 1 000). */
  maxAckPending?: number;
}

/**
 * `'create'` creates what is missing and updates what differs; `'check'` changes nothing and
 * fails start-up listing what is missing or different (for teams whose infrastructure, e.g.
 * Terraform or NACK, owns the streams).
 *
 * @example
 * ```ts
 * import type { ProvisioningMode } from '@milkyway/nats';
 *
 * const mode: ProvisioningMode = process.env.NODE_ENV === 'production' ? 'check' : 'create';
 * ```
 */
export type ProvisioningMode = 'create' | 'check';
