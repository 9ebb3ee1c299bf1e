/** The orders' data: schemas, an in-memory order store and the idempotency records. */
import { randomUUID } from 'node:crypto';
import type { Order } from '../../shared/src/contracts/index.js';

/** An in-memory order store (a real service would use a database). */
export class OrderStore {
  private readonly orders = new Map<string, Order>();

  /** How many orders exist. */
  get size() {
    return this.orders.size;
  }

  /** Saves a new order and returns it. */
  create(order: Omit<Order, 'id' | 'createdAt' | 'updatedAt' | 'status'>): Order {
    const now = new Date().toISOString();
    const saved: Order = {
      ...order,
      id: `o-${randomUUID()}`,
      status: 'pending',
      createdAt: now,
      updatedAt: now,
    };
    this.orders.set(saved.id, saved);
    return saved;
  }

  /** One order, or undefined. */
  find(id: string) {
    return this.orders.get(id);
  }

  /** A customer's orders, newest first. */
  byCustomer(customer: string) {
    return [...this.orders.values()]
      .filter((o) => o.customer === customer)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }
}

interface IdempotencyRecord {
  /** A fingerprint of the request, so a reused key with a different body is refused. */
  fingerprint: string;
  /** The first request's outcome (shared by concurrent retries while it runs). */
  result: Promise<Order>;
}

/**
 * Remembers the outcome of each (customer, Idempotency-Key): a repeated key returns the first
 * result, also while the first request is still running, and never creates a second order.
 * A failed attempt is forgotten so the client may retry it. Bounded by count and age.
 */
export class IdempotencyStore {
  private readonly records = new Map<string, IdempotencyRecord & { at: number }>();

  constructor(
    private readonly maxEntries = 10_000,
    private readonly ttlMs = 24 * 60 * 60 * 1000,
  ) {}

  /**
   * Runs `create` once per key; returns `{ order, replayed }`. Throws `KeyReusedError` when the
   * key was first used with a different request.
   */
  async run(
    scope: string,
    key: string,
    fingerprint: string,
    create: () => Promise<Order>,
  ): Promise<{ order: Order; replayed: boolean }> {
    const id = `${scope}\u0000${key}`;
    const existing = this.records.get(id);
    if (existing && Date.now() - existing.at < this.ttlMs) {
      if (existing.fingerprint !== fingerprint) throw new KeyReusedError();
      return { order: await existing.result, replayed: true };
    }
    const result = create();
    this.records.set(id, { fingerprint, result, at: Date.now() });
    if (this.records.size > this.maxEntries) {
      const oldest = this.records.keys().next().value;
      if (oldest !== undefined) this.records.delete(oldest);
    }
    try {
      return { order: await result, replayed: false };
    } catch (error) {
      this.records.delete(id);
      throw error;
    }
  }
}

/** An Idempotency-Key reused with a different request body (422, as the IETF draft says). */
export class KeyReusedError extends Error {
  readonly status = 422;
  readonly title = 'Idempotency-Key reused';
  readonly expose = true;
  constructor() {
    super('this Idempotency-Key was already used with a different request');
  }
}
