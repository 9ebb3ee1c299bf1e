/**
 * @internal One waiter, woken by whoever has news for it: a reader of a Node stream waits for the
 * next chunk, the end or an error, and the stream's listeners call `notify`.
 */
export class Wakeup {
  #wake: (() => void) | undefined = undefined;

  /** Resolves at the next `notify()`. */
  wait(): Promise<void> {
    return new Promise((resolve) => {
      this.#wake = resolve;
    });
  }

  /** Wakes the waiter, if one waits (bound: usable as a listener as it is). */
  readonly notify = (): void => {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  };
}
