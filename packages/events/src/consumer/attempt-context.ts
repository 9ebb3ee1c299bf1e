import type { Attempt } from './attempt.js';
import type { HandlerContext } from './handler.js';

/**
 * Internal: the `ctx` a handler gets. A class with `signal` as a prototype getter (the
 * `AbortController` is created only when a handler reads it): an object literal with a getter
 * is allocated outside the young generation by V8, and each one then kept the attempt's whole
 * object graph alive through minor GCs, which cost more than everything else per message.
 */
export class AttemptContext<Tx> implements HandlerContext<Tx> {
  readonly #attempt: Attempt;
  readonly attempt: number;

  constructor(
    attempt: Attempt,
    readonly tx: Tx,
    readonly group: string,
    readonly destination: string,
  ) {
    this.#attempt = attempt;
    this.attempt = attempt.number;
  }

  get signal(): AbortSignal {
    return this.#attempt.signal();
  }
}
