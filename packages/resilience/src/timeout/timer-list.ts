/**
 * Internal: one timer for many deadlines. Calls through one timeout policy share a doubly
 * linked list ordered by expiry (same duration => appended in order) and a single `setTimeout`
 * armed for the head, like Node's own timer lists. Adding and removing an entry is O(1) and
 * allocates nothing beyond the entry; a per-call `setTimeout` + `AbortController` costs ~2 µs.
 */
/** The longest delay `setTimeout` accepts (larger values fire after 1 ms). */
export const MAX_TIMER_MS = 2_147_483_647;

export abstract class TimerEntry {
  expiresAt = 0;
  prev: TimerEntry | undefined = undefined;
  next: TimerEntry | undefined = undefined;
  list: TimerList | undefined = undefined;
  abstract expire(): void;
}

export class TimerList {
  private head: TimerEntry | undefined = undefined;
  private tail: TimerEntry | undefined = undefined;
  private timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private armedFor = Number.POSITIVE_INFINITY;
  private readonly onTimer = () => this.check();

  /** Appends an entry; returns false when it would not keep the list ordered (caller falls back). */
  add(entry: TimerEntry): boolean {
    const tail = this.tail;
    if (tail !== undefined && entry.expiresAt < tail.expiresAt) return false;
    entry.list = this;
    entry.prev = tail;
    entry.next = undefined;
    if (tail === undefined) this.head = entry;
    else tail.next = entry;
    this.tail = entry;
    if (this.timer === undefined || entry.expiresAt < this.armedFor) this.arm(entry.expiresAt);
    return true;
  }

  remove(entry: TimerEntry): void {
    if (entry.list !== this) return;
    const { prev, next } = entry;
    if (prev === undefined) this.head = next;
    else prev.next = next;
    if (next === undefined) this.tail = prev;
    else next.prev = prev;
    entry.prev = entry.next = entry.list = undefined;
    // The armed timer is left alone: it fires, finds nothing due, and re-arms or stops.
  }

  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.armedFor = at;
    const timer = setTimeout(this.onTimer, Math.max(1, at - Date.now()));
    if (typeof timer === 'object' && typeof timer.unref === 'function') timer.unref();
    this.timer = timer;
  }

  private check(): void {
    this.timer = undefined;
    this.armedFor = Number.POSITIVE_INFINITY;
    const now = Date.now();
    let entry = this.head;
    while (entry !== undefined && entry.expiresAt <= now) {
      this.remove(entry);
      entry.expire();
      entry = this.head;
    }
    if (this.head !== undefined) this.arm(this.head.expiresAt);
  }
}
