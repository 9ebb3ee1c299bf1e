/**
 * Which message, for which consumer group: the inbox's key. The same event handled by two
 * groups is two entries.
 *
 * @example
 * ```ts
 * import type { InboxKey } from '@milkyway/events';
 *
 * const key: InboxKey = { messageId: 'e-1', source: '/orders', group: 'catalog' };
 * ```
 */
export interface InboxKey {
  /** The CloudEvents `id` (with the `source`, unique per event). */
  readonly messageId: string;
  /** The CloudEvents `source`, part of the event's identity. */
  readonly source: string;
  /** The consumer group. */
  readonly group: string;
}

/**
 * The result of {@link Inbox.runOnce}.
 *
 * @example
 * ```ts
 * import type { InboxOutcome } from '@milkyway/events';
 *
 * declare const outcome: InboxOutcome;
 * if (outcome === 'duplicate') console.info('already applied: acknowledged without running');
 * ```
 */
export type InboxOutcome = 'applied' | 'duplicate';

/**
 * The idempotency hook of a consumer ("effects exactly once"). `runOnce` opens a unit of work
 * (a database transaction), records the key in it, and — only when the key was new — calls
 * `effect` with that unit of work, then commits both together. If the key was already recorded
 * (the effect committed before: this is a redelivery), it does not call `effect` and resolves
 * `'duplicate'`. If `effect` throws, nothing is recorded (rolled back) and `runOnce` rethrows,
 * so the message is retried. Concurrent `runOnce` calls with the same key must not both run
 * `effect` (the database's unique key makes the second wait, then see a duplicate).
 *
 * The consumer runtime calls the handler INSIDE `effect` and hands it `tx` (the handler's
 * context `tx`), so the handler's writes share the inbox's transaction.
 * `@milkyway/postgres` implements it on PostgreSQL; {@link memoryInbox} is for tests.
 *
 * @typeParam Tx - what the handler gets to write with (e.g. a transaction client).
 *
 * @example
 * ```ts
 * import type { Inbox } from '@milkyway/events';
 *
 * interface SqlTx { query(sql: string, params: unknown[]): Promise<unknown> }
 * declare const inbox: Inbox<SqlTx>;
 *
 * const outcome = await inbox.runOnce({ messageId: 'e-1', source: '/orders', group: 'catalog' }, async (tx) => {
 *   await tx.query('update stock set reserved = reserved + $1 where sku = $2', [2, 'tea']);
 * });
 * ```
 */
export interface Inbox<Tx = unknown> {
  /** Runs `effect` once per key, in the same unit of work that records the key. */
  runOnce(key: InboxKey, effect: (tx: Tx) => Promise<void>): Promise<InboxOutcome>;
}
