import { LRUCache } from 'lru-cache';
import type { Inbox, InboxKey, InboxOutcome } from './inbox.js';

/**
 * Options of {@link memoryInbox}.
 *
 * @example
 * ```ts
 * import type { MemoryInboxOptions } from '@milkyway/events';
 *
 * const options: MemoryInboxOptions = { maxEntries: 100_000 };
 * ```
 */
export interface MemoryInboxOptions {
  /** How many recorded keys are remembered (oldest forgotten first; default 100 000). */
  maxEntries?: number;
}

/**
 * The in-memory inbox, with its records readable for tests.
 *
 * @example
 * ```ts
 * import { memoryInbox, type MemoryInbox } from '@milkyway/events';
 *
 * const inbox: MemoryInbox = memoryInbox();
 * inbox.has({ messageId: 'e-1', source: '/orders', group: 'catalog' }); // false
 * ```
 */
export interface MemoryInbox extends Inbox<undefined> {
  /** Whether the key's effect is recorded as applied. */
  has(key: InboxKey): boolean;
  /** How many keys are recorded. */
  readonly size: number;
}

/**
 * An {@link Inbox} in process memory, for tests and single-process apps whose effects are
 * themselves in memory: the key is recorded only after `effect` resolves, concurrent calls
 * with one key run `effect` at most once, and it forgets the oldest keys beyond `maxEntries`.
 * It survives no restart: with a database, use the database's inbox (`@milkyway/postgres`).
 *
 * @example
 * ```ts
 * import { memoryInbox } from '@milkyway/events';
 *
 * const inbox = memoryInbox();
 * const key = { messageId: 'e-1', source: '/orders', group: 'catalog' };
 * let applied = 0;
 * await inbox.runOnce(key, async () => { applied++; }); // 'applied'
 * await inbox.runOnce(key, async () => { applied++; }); // 'duplicate'
 * ```
 */
export function memoryInbox(options: MemoryInboxOptions = {}): MemoryInbox {
  const done = new LRUCache<string, true>({ max: options.maxEntries ?? 100_000 });
  const running = new Map<string, Promise<unknown>>();
  const id = (key: InboxKey) => `${key.group}\u0000${key.source}\u0000${key.messageId}`;

  async function runOnce(
    key: InboxKey,
    effect: (tx: undefined) => Promise<void>,
  ): Promise<InboxOutcome> {
    const k = id(key);
    // Like a unique index: a second caller waits for the first, then sees its outcome.
    for (let pending = running.get(k); pending; pending = running.get(k)) {
      await pending.catch(() => undefined);
    }
    if (done.has(k)) return 'duplicate';
    const attempt = effect(undefined);
    running.set(k, attempt);
    try {
      await attempt;
      done.set(k, true);
      return 'applied';
    } finally {
      running.delete(k);
    }
  }

  return {
    runOnce,
    has: (key) => done.has(id(key)),
    get size() {
      return done.size;
    },
  };
}
