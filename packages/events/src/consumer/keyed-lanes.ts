/**
 * Runs tasks one at a time per key, in the order they were added; tasks of different keys run
 * in parallel. A key's lane is forgotten as soon as it is empty, so memory follows the keys in
 * flight, not every key ever seen.
 */
export class KeyedLanes {
  readonly #tails = new Map<string, Promise<void>>();

  /** Runs `task` after every task already added for `key`. `task` must not reject. */
  run(key: string, task: () => Promise<void>): void {
    const previous = this.#tails.get(key);
    const tail = previous ? previous.then(task) : task();
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
