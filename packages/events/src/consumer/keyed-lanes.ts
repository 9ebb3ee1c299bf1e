/** A task of {@link KeyedLanes}: linked to the task queued after it on its key. */
export interface LaneTask {
  laneNext: LaneTask | undefined;
}

/**
 * Runs tasks one at a time per key, in the order they were added; tasks of different keys run
 * in parallel. Each key is a linked queue of its tasks (no promise chain, no closure per task);
 * the owner calls {@link KeyedLanes.done} when a task finished, whatever its outcome, and the
 * next one of its key starts. A key's lane is forgotten as soon as it is empty, so memory
 * follows the keys in flight, not every key ever seen.
 */
export class KeyedLanes<T extends LaneTask> {
  /** The last task queued per key (the running one when it is alone). */
  readonly #tails = new Map<string, T>();

  constructor(private readonly start: (task: T) => void) {}

  /** Starts `task` now when its key is idle, otherwise after every task already added for it. */
  add(key: string, task: T): void {
    task.laneNext = undefined;
    const tail = this.#tails.get(key);
    this.#tails.set(key, task);
    if (tail === undefined) this.start(task);
    else tail.laneNext = task;
  }

  /** The running task of `key` is finished: the next one of the key starts (call it once). */
  done(key: string, task: T): void {
    const next = task.laneNext as T | undefined;
    if (next !== undefined) {
      task.laneNext = undefined;
      this.start(next);
    } else if (this.#tails.get(key) === task) {
      this.#tails.delete(key);
    }
  }

  /** Keys with work queued or running. */
  get size(): number {
    return this.#tails.size;
  }
}
