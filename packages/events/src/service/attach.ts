import type { EventBus } from '../bus/event-bus.js';

/**
 * The part of a service the bus plugs into: readiness checks and close hooks. `createService`
 * from `@milkyway/core` has this shape; any lifecycle with these two methods does.
 *
 * @example
 * ```ts
 * import type { ServiceLifecycle } from '@milkyway/events';
 *
 * const checks: Array<() => unknown> = [];
 * const lifecycle: ServiceLifecycle = {
 *   readiness: (_name, check) => checks.push(() => check(new AbortController().signal)),
 *   onClose: () => undefined,
 * };
 * ```
 */
export interface ServiceLifecycle {
  /** Registers a readiness check: throws (or rejects) when not ready. */
  readiness(name: string, check: (signal: AbortSignal) => unknown): unknown;
  /** Registers a hook run when the service closes (after in-flight requests drained). */
  onClose(hook: () => unknown): unknown;
}

/**
 * Options of {@link attachEventBus}.
 *
 * @example
 * ```ts
 * import type { AttachEventBusOptions } from '@milkyway/events';
 *
 * const options: AttachEventBusOptions = { name: 'events', drainMs: 15_000 };
 * ```
 */
export interface AttachEventBusOptions {
  /** The readiness check's name (default `events`). */
  name?: string;
  /** How long running handlers may finish on close (default 10 000 ms). */
  drainMs?: number;
}

/**
 * Ties a bus to a service's lifecycle: readiness fails while the transport is disconnected,
 * and closing the service stops pulling messages, lets running handlers finish within
 * `drainMs`, leaves the rest unacknowledged (redelivered to another replica) and closes the
 * transport's connection.
 *
 * @example
 * ```ts
 * import { createService } from '@milkyway/core';
 * import { attachEventBus, createEventBus, memoryTransport } from '@milkyway/events';
 *
 * const service = createService({ name: 'catalog', version: '1.0.0' });
 * const bus = createEventBus({ source: '/catalog', transport: memoryTransport() });
 * attachEventBus(service, bus, { drainMs: 15_000 });
 * ```
 */
export function attachEventBus(
  service: ServiceLifecycle,
  bus: EventBus,
  options: AttachEventBusOptions = {},
): void {
  service.readiness(options.name ?? 'events', () => {
    const health = bus.health();
    if (!health.connected) {
      throw new Error(
        `events transport (${bus.transport.system}) not connected${health.detail ? `: ${health.detail}` : ''}`,
      );
    }
  });
  service.onClose(() => bus.close({ drainMs: options.drainMs ?? 10_000 }));
}
