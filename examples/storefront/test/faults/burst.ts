/**
 * The client side of the fault tests: tokens that survive an identity restart, and a burst of
 * orders placed through the gateway the way a careful client does (one Idempotency-Key per
 * order, retried with the same key on 5xx, 429 and network errors until a 201).
 */
import { randomUUID } from 'node:crypto';
import { call } from '../harness.js';

/** One line of a new order. */
export interface Item {
  productId: string;
  quantity: number;
}

/** Where the client talks to and who it is. */
export interface Client {
  gateway: string;
  identity: string;
  /** A bearer token for a demo user; `fresh` fetches a new one (identity restarted: new keys). */
  token(user: string, fresh?: boolean): Promise<string>;
}

/** A client whose tokens are cached until a 401 asks for a fresh one. */
export function createClient(urls: { gateway: string; identity: string }): Client {
  const cache = new Map<string, Promise<string>>();
  const fetchToken = async (user: string) => {
    const res = await call(`${urls.identity}/token`, {
      body: { username: user, password: user },
    });
    if (res.status !== 200) throw new Error(`token for ${user}: ${res.status} ${res.text}`);
    return res.json.access_token as string;
  };
  return {
    ...urls,
    token(user, fresh = false) {
      let token = cache.get(user);
      if (!token || fresh) {
        token = fetchToken(user);
        cache.set(user, token);
        token.catch(() => cache.delete(user));
      }
      return token;
    },
  };
}

/** An order the burst placed: its key, what it asked for and the id the 201 named. */
export interface PlacedOrder {
  key: string;
  customer: string;
  items: Item[];
  id: string;
  /** How many requests it took (more than 1 when a fault got in the way). */
  attempts: number;
}

/** The customers that may place orders (demo users with orders:write). */
export const CUSTOMERS = ['alice', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'] as const;

/**
 * The default mix: mostly small orders of plentiful products, some multi-line orders with a
 * scarce product (all or none of their lines is reserved), and telescopes (8 in stock) asked
 * for often enough that some orders are rejected.
 */
export function defaultItems(i: number): Item[] {
  if (i % 10 === 3) return [{ productId: 'p-1006', quantity: 1 }];
  if (i % 10 === 7)
    return [
      { productId: 'p-1003', quantity: 1 },
      { productId: 'p-1005', quantity: 2 },
    ];
  const plentiful = ['p-1001', 'p-1002', 'p-1003', 'p-1004'];
  return [{ productId: plentiful[i % plentiful.length]!, quantity: 1 + (i % 2) }];
}

/** A running burst. */
export interface Burst {
  /** How many orders got their 201 so far. */
  created(): number;
  /** How many requests failed and were retried so far. */
  retried(): number;
  /** The orders accepted so far, in the order their 201 came. */
  placedSoFar(): PlacedOrder[];
  /** Resolves with every order once each got its 201; rejects on a non-retryable answer. */
  done: Promise<PlacedOrder[]>;
}

/** Options of {@link startBurst}. */
export interface BurstOptions {
  count: number;
  /** Requests in flight at once (default 8). */
  concurrency?: number;
  items?: (i: number) => Item[];
  customers?: readonly string[];
  /** How long one order may keep being retried before the burst fails (default 90 s). */
  retryForMs?: number;
}

const retryable = (status: number) => status >= 500 || status === 429 || status === 408;

/** Places `count` orders through the gateway, `concurrency` at a time, retrying each until 201. */
export function startBurst(client: Client, options: BurstOptions): Burst {
  const { count, concurrency = 8, items = defaultItems, customers = CUSTOMERS } = options;
  const retryForMs = options.retryForMs ?? 90_000;
  let created = 0;
  let retried = 0;
  let next = 0;
  const placed: PlacedOrder[] = new Array(count);
  const accepted: PlacedOrder[] = [];

  const placeOne = async (i: number) => {
    const customer = customers[i % customers.length]!;
    const order = { key: randomUUID(), customer, items: items(i) };
    const deadline = Date.now() + retryForMs;
    let attempts = 0;
    let fresh = false;
    let last = '';
    // Each attempt is bounded (call() times out); the loop ends with a 201 or the deadline.
    while (Date.now() < deadline) {
      attempts++;
      try {
        const res = await call(`${client.gateway}/orders`, {
          token: await client.token(customer, fresh),
          body: { items: order.items },
          headers: { 'idempotency-key': order.key },
        });
        fresh = false;
        if (res.status === 201) {
          placed[i] = { ...order, id: res.json.id, attempts };
          accepted.push(placed[i]);
          created++;
          return;
        }
        last = `${res.status} ${res.text.slice(0, 200)}`;
        if (res.status === 401) fresh = true;
        else if (!retryable(res.status))
          throw new Error(`order #${i} (key ${order.key}) was refused: ${last}`);
      } catch (error) {
        if ((error as Error).message.startsWith(`order #${i} `)) throw error;
        last = (error as Error).message;
      }
      retried++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(
      `order #${i} (key ${order.key}) got no 201 within ${retryForMs} ms of retries; last: ${last}`,
    );
  };

  const worker = async () => {
    while (next < count) await placeOne(next++);
  };
  const done = Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker)).then(
    () => placed,
  );
  done.catch(() => {}); // observed by the test through `done`
  return {
    created: () => created,
    retried: () => retried,
    placedSoFar: () => [...accepted],
    done,
  };
}
