import type { Scheduler } from '../transport/scheduler.js';

/** The longest delay `setTimeout` accepts (a larger one fires after 1 ms). */
const MAX_TIMER_MS = 2_147_483_647;

/** An entry of a {@link DeadlineList}: linked in place, so adding one allocates nothing. */
export interface DeadlineEntry {
  expiresAt: number;
  prev: DeadlineEntry | undefined;
  next: DeadlineEntry | undefined;
  listed: boolean;
  /** Called once when the deadline passes while the entry is still listed. */
  expire(): void;
}

/**
 * Internal: the deadlines of one consumer's attempts with ONE timer instead of one `setTimeout`
 * per attempt. Every entry gets the same duration, so appending keeps the list ordered by
 * expiry; the timer is armed for the head only. Adding and removing are O(1). Time comes from
 * the bus's clock and scheduler (vitest fake timers move both); when the timer fires, "now" is
 * at least the time it was armed for, so a scheduler that runs ahead of the clock still expires
 * the head on time.
 */
export class DeadlineList<E extends DeadlineEntry> {
  #head: E | undefined;
  #tail: E | undefined;
  #timer: unknown;
  #armedFor = Number.POSITIVE_INFINITY;
  readonly #onTimer = () => this.#check();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly clock: () => number,
    private readonly durationMs: number,
  ) {}

  /** Starts the entry's deadline (now + the list's duration). */
  add(entry: E): void {
    const tail = this.#tail;
    // A clock that stepped back must not break the order: such an entry expires with the tail.
    entry.expiresAt = Math.max(this.clock() + this.durationMs, tail ? tail.expiresAt : 0);
    entry.prev = tail;
    entry.next = undefined;
    entry.listed = true;
    if (tail === undefined) this.#head = entry;
    else tail.next = entry;
    this.#tail = entry;
    if (this.#timer === undefined) this.#arm((this.#head as E).expiresAt);
  }

  /** Cancels the entry's deadline (a no-op when it is not listed). */
  remove(entry: E): void {
    if (!entry.listed) return;
    const { prev, next } = entry;
    if (prev === undefined) this.#head = next as E | undefined;
    else prev.next = next;
    if (next === undefined) this.#tail = prev as E | undefined;
    else next.prev = prev;
    entry.prev = entry.next = undefined;
    entry.listed = false;
    // The armed timer stays (even when the list is empty, so that one message at a time does not
    // cost a setTimeout and a clearTimeout each): it fires, expires what is due and re-arms for
    // the head, if any.
  }

  /** Cancels the timer (the consumer stopped). */
  stop(): void {
    if (this.#timer !== undefined) this.scheduler.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** The listed entries, oldest first (a copy: the caller may remove while iterating). */
  entries(): E[] {
    const out: E[] = [];
    for (let e = this.#head; e !== undefined; e = e.next as E | undefined) out.push(e);
    return out;
  }

  #arm(at: number): void {
    const delay = Math.min(Math.max(at - this.clock(), 0), MAX_TIMER_MS);
    this.#armedFor = delay === MAX_TIMER_MS ? this.clock() + delay : at;
    this.#timer = this.scheduler.setTimeout(this.#onTimer, delay);
  }

  #check(): void {
    this.#timer = undefined;
    const now = Math.max(this.clock(), this.#armedFor);
    this.#armedFor = Number.POSITIVE_INFINITY;
    let entry = this.#head;
    while (entry !== undefined && entry.expiresAt <= now) {
      this.remove(entry);
      entry.expire();
      entry = this.#head;
    }
    if (entry !== undefined && this.#timer === undefined) this.#arm(entry.expiresAt);
  }
}
