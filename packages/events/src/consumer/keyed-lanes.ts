/**
 * Runs tasks one at a time per key, in the order they were added; tasks of different keys run
 * in parallel. A key's lane is forgotten as soon as it is empty, so memory follows the keys in
 * flight, not every key ever seen.
 */
export class KeyedLanes {
  readonly #tails = new Map<string, Promise<void>>();

  /**
   * Runs `task` after every task already added for `key`. A task that rejects does not stall
   * its key: the next one still runs (report the failure inside the task).
   */
  run(key: string, task: () => Promise<void>): void {
    const guarded = () => task().catch(() => undefined);
    const previous = this.#tails.get(key);
    const tail = previous ? previous.then(guarded) : guarded();
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.#tails.size;
  }
}
