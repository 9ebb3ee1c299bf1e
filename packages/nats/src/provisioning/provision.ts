import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerInfo,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type JetStreamManager,
  ReplayPolicy,
  StorageType,
  type StreamConfig,
  type StreamInfo,
} from '@nats-io/jetstream';
import { NatsProvisioningError } from '../errors/nats-provisioning-error.js';
import type { ConsumerSpec, ProvisioningMode, StreamSpec } from './specs.js';
import { subjectCovers } from './subject-match.js';

const NS_PER_MS = 1_000_000;
const DEFAULT_DUPLICATE_WINDOW_MS = 120_000;
const DEFAULT_ACK_WAIT_MS = 30_000;
const DEFAULT_MAX_ACK_PENDING = 1_000;

/**
 * What {@link provisionJetStream} needs: the streams and durable consumers of a service, and
 * whether to create them or only check them.
 *
 * @example
 * ```ts
 * import type { ProvisioningPlan } from '@milkyway/nats';
 *
 * const plan: ProvisioningPlan = {
 *   mode: 'check',
 *   streams: [{ name: 'ORDERS', subjects: ['events.orders.>'] }],
 *   consumers: [{ stream: 'ORDERS', durable: 'stock', filterSubject: 'events.orders.placed' }],
 * };
 * ```
 */
export interface ProvisioningPlan {
  /** `'create'` (default) or `'check'`. */
  mode?: ProvisioningMode;
  /** Streams, created or checked first. */
  streams: readonly StreamSpec[];
  /** Durable pull consumers on those streams. */
  consumers?: readonly ConsumerSpec[];
}

function isNotFound(error: unknown, code: number): boolean {
  return error instanceof JetStreamApiError && error.code === code;
}

async function streamInfo(jsm: JetStreamManager, name: string): Promise<StreamInfo | undefined> {
  try {
    return await jsm.streams.info(name);
  } catch (error) {
    if (isNotFound(error, JetStreamApiCodes.StreamNotFound)) return undefined;
    throw error;
  }
}

async function consumerInfo(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
): Promise<ConsumerInfo | undefined> {
  try {
    return await jsm.consumers.info(stream, durable);
  } catch (error) {
    // A missing stream means a missing consumer too.
    if (
      isNotFound(error, JetStreamApiCodes.ConsumerNotFound) ||
      isNotFound(error, JetStreamApiCodes.StreamNotFound)
    )
      return undefined;
    throw error;
  }
}

function streamConfig(spec: StreamSpec): Partial<StreamConfig> & { name: string } {
  const config: Partial<StreamConfig> & { name: string } = {
    name: spec.name,
    subjects: [...spec.subjects],
    duplicate_window: (spec.duplicateWindowMs ?? DEFAULT_DUPLICATE_WINDOW_MS) * NS_PER_MS,
    storage: spec.storage === 'memory' ? StorageType.Memory : StorageType.File,
    num_replicas: spec.replicas ?? 1,
  };
  if (spec.maxAgeMs !== undefined) config.max_age = spec.maxAgeMs * NS_PER_MS;
  if (spec.maxMessageBytes !== undefined) config.max_msg_size = spec.maxMessageBytes;
  return config;
}

function consumerConfig(spec: ConsumerSpec): Partial<ConsumerConfig> {
  const config: Partial<ConsumerConfig> = {
    durable_name: spec.durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    replay_policy: ReplayPolicy.Instant,
    ack_wait: (spec.ackWaitMs ?? DEFAULT_ACK_WAIT_MS) * NS_PER_MS,
    max_deliver: spec.maxDeliver ?? -1,
    max_ack_pending: spec.maxAckPending ?? DEFAULT_MAX_ACK_PENDING,
  };
  if (spec.filterSubject !== undefined) config.filter_subject = spec.filterSubject;
  return config;
}

/** What differs between a stream on the broker and what the service needs. */
function streamProblems(spec: StreamSpec, info: StreamInfo): string[] {
  const problems: string[] = [];
  for (const subject of spec.subjects) {
    if (!info.config.subjects?.some((s) => subjectCovers(s, subject))) {
      problems.push(
        `stream ${spec.name} does not store subject "${subject}" (it stores ${JSON.stringify(info.config.subjects ?? [])})`,
      );
    }
  }
  if (!info.config.duplicate_window) {
    problems.push(
      `stream ${spec.name} has no duplicate window: Nats-Msg-Id dedupe of re-published events is off`,
    );
  }
  return problems;
}

/** What differs between a consumer on the broker and what the service needs. */
function consumerProblems(spec: ConsumerSpec, info: ConsumerInfo): string[] {
  const problems: string[] = [];
  const name = `consumer ${spec.stream}/${spec.durable}`;
  if (info.config.deliver_subject)
    problems.push(`${name} is a push consumer; a pull consumer is needed`);
  if (info.config.ack_policy !== AckPolicy.Explicit)
    problems.push(`${name} has ack_policy "${info.config.ack_policy}"; "explicit" is needed`);
  if (spec.filterSubject !== undefined && info.config.filter_subject !== spec.filterSubject)
    problems.push(
      `${name} filters "${info.config.filter_subject ?? ''}"; "${spec.filterSubject}" is needed`,
    );
  if (spec.maxDeliver !== undefined && (info.config.max_deliver ?? -1) !== spec.maxDeliver)
    problems.push(
      `${name} has max_deliver ${info.config.max_deliver}; ${spec.maxDeliver} is needed`,
    );
  return problems;
}

/**
 * Creates or checks the streams and durable pull consumers a service needs, at start-up.
 * In `'create'` mode a missing stream or consumer is created and a different one updated
 * (the service's spec wins); in `'check'` mode nothing changes and every missing or different
 * resource is listed in one {@link NatsProvisioningError}.
 *
 * @example
 * ```ts
 * import { jetstreamManager } from '@nats-io/jetstream';
 * import { connectNats, provisionJetStream } from '@milkyway/nats';
 *
 * const nc = await connectNats({ servers: 'nats://127.0.0.1:4222' });
 * await provisionJetStream(await jetstreamManager(nc), {
 *   mode: 'create',
 *   streams: [{ name: 'ORDERS', subjects: ['events.orders.>'] }],
 *   consumers: [{ stream: 'ORDERS', durable: 'stock', filterSubject: 'events.orders.placed', maxDeliver: 5 }],
 * });
 * await nc.close();
 * ```
 */
export async function provisionJetStream(
  jsm: JetStreamManager,
  plan: ProvisioningPlan,
): Promise<void> {
  const mode = plan.mode ?? 'create';
  const problems: string[] = [];
  try {
    for (const spec of plan.streams) {
      const info = await streamInfo(jsm, spec.name);
      if (mode === 'check') {
        if (!info)
          problems.push(`stream ${spec.name} is missing (subjects ${spec.subjects.join(', ')})`);
        else problems.push(...streamProblems(spec, info));
      } else if (!info) {
        await jsm.streams.add(streamConfig(spec));
      } else if (streamProblems(spec, info).length > 0) {
        const { name: _name, storage: _storage, ...update } = streamConfig(spec);
        const subjects = [...new Set([...(info.config.subjects ?? []), ...spec.subjects])];
        await jsm.streams.update(spec.name, { ...update, subjects });
      }
    }
    for (const spec of plan.consumers ?? []) {
      const info = await consumerInfo(jsm, spec.stream, spec.durable);
      if (mode === 'check') {
        if (!info) problems.push(`consumer ${spec.stream}/${spec.durable} is missing`);
        else problems.push(...consumerProblems(spec, info));
      } else if (!info) {
        await jsm.consumers.add(spec.stream, consumerConfig(spec));
      } else if (consumerProblems(spec, info).length > 0) {
        const {
          durable_name: _d,
          ack_policy: _a,
          deliver_policy: _p,
          replay_policy: _r,
          ...update
        } = consumerConfig(spec);
        await jsm.consumers.update(spec.stream, spec.durable, update);
      }
    }
  } catch (error) {
    if (NatsProvisioningError.is(error)) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new NatsProvisioningError([...problems, `the broker refused: ${reason}`], {
      cause: error,
    });
  }
  if (problems.length > 0) throw new NatsProvisioningError(problems);
}
