import { decodeBinary, encodeBinary } from '../cloudevents/binary-mode.js';
import type { CloudEventEnvelope } from '../cloudevents/envelope.js';
import { PublishError } from '../errors/publish-error.js';
import { Fifo } from './fifo.js';
import { globalScheduler, type Scheduler } from './scheduler.js';
import type {
  Delivery,
  DeliveryHandler,
  PublishOptions,
  SubscribeOptions,
  Subscription,
  Transport,
  TransportHealth,
} from './transport.js';

/**
 * Options of {@link createMemoryBroker} and {@link memoryTransport}.
 *
 * @example
 * ```ts
 * import type { MemoryBrokerOptions } from '@milkyway/events';
 *
 * const options: MemoryBrokerOptions = { maxEntries: 10_000 };
 * ```
 */
export interface MemoryBrokerOptions {
  /** Messages retained per destination for groups that subscribe later (default 100 000; oldest dropped). */
  maxEntries?: number;
  /** Timers for ack deadlines and delayed redelivery (default: the global ones). */
  scheduler?: Scheduler;
}

/**
 * One connection to a {@link MemoryBroker}: a {@link Transport}, plus fault injection for tests.
 *
 * @example
 * ```ts
 * import { memoryTransport } from '@milkyway/events';
 *
 * const transport = memoryTransport();
 * transport.disconnect(); // publishes now fail with a retryable PublishError, readiness fails
 * transport.reconnect();
 * transport.inject('order.placed.v1', { headers: {}, body: new TextEncoder().encode('not a CloudEvent') });
 * ```
 */
export interface MemoryTransport extends Transport {
  /** Simulates losing the connection: publishes reject (retryable), no deliveries, unhealthy. */
  disconnect(): void;
  /** Ends a simulated outage. */
  reconnect(): void;
  /** Stores a raw message as received from the wire (headers + body), e.g. a malformed one. */
  inject(destination: string, message: { headers: Record<string, string>; body: Uint8Array }): void;
}

/**
 * The in-memory broker: destinations retain messages, durable groups keep their position,
 * unsettled deliveries are redelivered after the ack deadline or a `nak` delay, and a message
 * is dropped after `maxDeliver` deliveries (as JetStream does). Several transports (one per
 * simulated process) connect to one broker.
 *
 * @example
 * ```ts
 * import { createMemoryBroker } from '@milkyway/events';
 *
 * const broker = createMemoryBroker();
 * const replicaA = broker.connect();
 * const replicaB = broker.connect(); // same group on both: they share the work
 * ```
 */
export interface MemoryBroker {
  /** A new connection (transport) to this broker. */
  connect(): MemoryTransport;
  /** Messages waiting (not yet delivered, or awaiting redelivery) for a group. */
  pending(group: string, destinations: readonly string[]): number;
}

interface Stored {
  readonly seq: number;
  readonly destination: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

interface Subscriber {
  readonly connection: Connection;
  readonly options: SubscribeOptions;
  readonly onDelivery: DeliveryHandler;
  inFlight: number;
  stopped: boolean;
}

interface Connection {
  connected: boolean;
  closed: boolean;
}

class Group {
  readonly ready = new Fifo<Stored>();
  readonly subscribers: Subscriber[] = [];
  readonly deliveries = new Map<number, number>();
  delayed = 0;
  next = 0;
  constructor(readonly destinations: ReadonlySet<string>) {}
}

const groupId = (group: string, destinations: readonly string[]) =>
  `${group}\u0000${[...new Set(destinations)].sort().join('\u0000')}`;

/**
 * Creates an in-memory broker (see {@link MemoryBroker}).
 *
 * @example
 * ```ts
 * import { createMemoryBroker } from '@milkyway/events';
 *
 * const broker = createMemoryBroker({ maxEntries: 1_000 });
 * const transport = broker.connect();
 * ```
 */
export function createMemoryBroker(options: MemoryBrokerOptions = {}): MemoryBroker {
  const maxEntries = options.maxEntries ?? 100_000;
  const scheduler = options.scheduler ?? globalScheduler;
  const logs = new Map<string, Stored[]>();
  const groups = new Map<string, Group>();
  let seq = 0;

  function store(destination: string, headers: Record<string, string>, body: Uint8Array): void {
    const message: Stored = { seq: ++seq, destination, headers, body };
    let log = logs.get(destination);
    if (!log) {
      log = [];
      logs.set(destination, log);
    }
    log.push(message);
    // Trimmed in batches: shifting a long array on every publish would be O(n) each time.
    if (log.length > maxEntries + Math.ceil(maxEntries / 8)) log.splice(0, log.length - maxEntries);
    for (const group of groups.values()) {
      if (group.destinations.has(destination)) {
        group.ready.push(message);
        pump(group);
      }
    }
  }

  function pick(group: Group): Subscriber | undefined {
    const n = group.subscribers.length;
    for (let i = 0; i < n; i++) {
      const sub = group.subscribers[(group.next + i) % n]!;
      if (sub.connection.connected && sub.inFlight < sub.options.maxInFlight) {
        group.next = (group.next + i + 1) % n;
        return sub;
      }
    }
    return undefined;
  }

  function pump(group: Group): void {
    while (group.ready.length > 0) {
      const sub = pick(group);
      if (!sub) return;
      deliver(group, sub, group.ready.shift()!);
    }
  }

  function requeue(group: Group, message: Stored, delayMs: number, maxDeliver: number): void {
    if ((group.deliveries.get(message.seq) ?? 0) >= maxDeliver) {
      group.deliveries.delete(message.seq); // max deliver reached: the broker gives up on it
      return;
    }
    if (delayMs <= 0) {
      group.ready.unshift(message);
      pump(group);
      return;
    }
    group.delayed++;
    scheduler.setTimeout(() => {
      group.delayed--;
      group.ready.unshift(message);
      pump(group);
    }, delayMs);
  }

  function deliver(group: Group, sub: Subscriber, message: Stored): void {
    const attempt = (group.deliveries.get(message.seq) ?? 0) + 1;
    group.deliveries.set(message.seq, attempt);
    sub.inFlight++;
    let settled = false;
    let timer: unknown;
    const arm = () => {
      if (timer !== undefined) scheduler.clearTimeout(timer);
      timer = scheduler.setTimeout(() => settle(false, 0), sub.options.ackDeadlineMs);
    };
    const settle = (ack: boolean, delayMs: number) => {
      if (settled) return;
      settled = true;
      scheduler.clearTimeout(timer);
      sub.inFlight--;
      if (ack) group.deliveries.delete(message.seq);
      else requeue(group, message, delayMs, sub.options.maxDeliver);
      pump(group);
    };
    arm();
    const delivery: Delivery = {
      destination: message.destination,
      message: decodeBinary({ headers: message.headers, body: message.body, binding: 'nats' }),
      headers: message.headers,
      body: message.body,
      attempt,
      async ack() {
        settle(true, 0);
      },
      async nak(delayMs = 0) {
        settle(false, delayMs);
      },
      async working() {
        if (!settled) arm();
      },
    };
    queueMicrotask(() => {
      try {
        sub.onDelivery(delivery);
      } catch {
        // A throwing handler leaves the delivery unsettled: redelivered after the deadline.
      }
    });
  }

  function subscribe(
    connection: Connection,
    options: SubscribeOptions,
    onDelivery: DeliveryHandler,
  ): Subscription {
    const id = groupId(options.group, options.destinations);
    let group = groups.get(id);
    if (!group) {
      group = new Group(new Set(options.destinations));
      groups.set(id, group);
      // A new durable group starts with everything its destinations still retain.
      const backlog = options.destinations.flatMap((d) => logs.get(d) ?? []);
      for (const message of backlog.sort((a, b) => a.seq - b.seq)) group.ready.push(message);
    }
    const sub: Subscriber = { connection, options, onDelivery, inFlight: 0, stopped: false };
    group.subscribers.push(sub);
    const owner = group;
    queueMicrotask(() => pump(owner));
    return {
      async stop() {
        if (sub.stopped) return;
        sub.stopped = true;
        owner.subscribers.splice(owner.subscribers.indexOf(sub), 1);
      },
      async lag() {
        return owner.ready.length + owner.delayed;
      },
    };
  }

  function connect(): MemoryTransport {
    const connection: Connection = { connected: true, closed: false };
    const subscriptions = new Set<Subscription>();
    const pumpAll = () => {
      for (const group of groups.values()) pump(group);
    };
    return {
      system: 'memory',
      async publish(destination: string, envelope: CloudEventEnvelope, opts?: PublishOptions) {
        if (opts?.signal?.aborted) throw opts.signal.reason;
        if (connection.closed) {
          throw new PublishError(destination, 'the transport is closed', { retryable: false });
        }
        if (!connection.connected) {
          throw new PublishError(destination, 'not connected', { retryable: true });
        }
        const { headers, body } = encodeBinary(envelope, 'nats');
        store(destination, { ...headers }, body);
      },
      async subscribe(options, onDelivery) {
        if (connection.closed) throw new Error('memory transport: closed');
        const subscription = subscribe(connection, options, onDelivery);
        subscriptions.add(subscription);
        return subscription;
      },
      health(): TransportHealth {
        if (connection.closed) return { connected: false, detail: 'closed' };
        return connection.connected
          ? { connected: true }
          : { connected: false, detail: 'disconnected' };
      },
      async close() {
        if (connection.closed) return;
        connection.closed = true;
        connection.connected = false;
        for (const subscription of subscriptions) await subscription.stop();
      },
      disconnect() {
        if (!connection.closed) connection.connected = false;
      },
      reconnect() {
        if (connection.closed) return;
        connection.connected = true;
        pumpAll();
      },
      inject(destination, message) {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(message.headers)) headers[k.toLowerCase()] = v;
        store(destination, headers, message.body);
      },
    };
  }

  return {
    connect,
    pending(group, destinations) {
      const g = groups.get(groupId(group, destinations));
      return g ? g.ready.length + g.delayed : 0;
    },
  };
}

/**
 * A memory transport on its own broker: for tests and single-process apps. The same semantics
 * as a broker (acks, redelivery after the ack deadline, `nak` delays, max deliver, durable
 * groups sharing work) without durability across restarts.
 *
 * @example
 * ```ts
 * import { createEventBus, memoryTransport } from '@milkyway/events';
 *
 * const bus = createEventBus({ source: '/orders', transport: memoryTransport() });
 * ```
 */
export function memoryTransport(options: MemoryBrokerOptions = {}): MemoryTransport {
  return createMemoryBroker(options).connect();
}
