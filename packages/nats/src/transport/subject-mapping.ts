/**
 * How destinations map onto NATS: the subject a destination's events are published on, the
 * stream that stores them, and the durable consumer of a group.
 *
 * The default ({@link defaultSubjectMapping}): destination `order.placed.v1` is subject
 * `events.order.placed.v1`, stored in its own stream `EVENTS_order_placed_v1`; group `stock`
 * is the durable consumer `stock` on that stream. A dead-letter destination
 * (`dead-letter.stock`) is a destination like any other.
 *
 * @example
 * ```ts
 * import type { SubjectMapping } from '@milkyway/nats';
 *
 * // Every order event in one stream ORDERS that the platform team owns.
 * const ordersStream: SubjectMapping = {
 *   subject: (destination) => `orders.${destination}`,
 *   stream: () => 'ORDERS',
 *   durable: (group, destination) => `${group}_${destination.replaceAll('.', '_')}`,
 * };
 * ```
 */
export interface SubjectMapping {
  /** The NATS subject of a destination (no wildcards). */
  subject(destination: string): string;
  /** The stream that stores the destination's subject. */
  stream(destination: string): string;
  /**
   * The durable consumer name of a group on a destination. Must differ between destinations
   * that share one stream.
   */
  durable(group: string, destination: string): string;
}

const UNSAFE_NAME = /[^A-Za-z0-9_-]/g;

/**
 * A name JetStream accepts for a stream or consumer: every character other than letters,
 * digits, `_` and `-` becomes `_`.
 */
export function safeName(value: string): string {
  return value.replace(UNSAFE_NAME, '_');
}

/**
 * The default mapping: subject `<subjectPrefix>.<destination>`, one stream per destination
 * named `<SUBJECTPREFIX>_<destination with . as _>`, the group's name as the durable consumer.
 *
 * @example
 * ```ts
 * import { defaultSubjectMapping } from '@milkyway/nats';
 *
 * const mapping = defaultSubjectMapping({ subjectPrefix: 'shop' });
 * mapping.subject('order.placed.v1'); // 'shop.order.placed.v1'
 * mapping.stream('order.placed.v1'); // 'SHOP_order_placed_v1'
 * mapping.durable('stock', 'order.placed.v1'); // 'stock'
 * ```
 */
export function defaultSubjectMapping(options: { subjectPrefix?: string } = {}): SubjectMapping {
  const prefix = options.subjectPrefix ?? 'events';
  const streamPrefix = safeName(prefix).toUpperCase();
  return {
    subject: (destination) => `${prefix}.${destination}`,
    stream: (destination) => `${streamPrefix}_${safeName(destination)}`,
    durable: (group) => safeName(group),
  };
}
