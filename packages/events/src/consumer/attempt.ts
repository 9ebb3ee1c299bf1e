import type { Span } from '@opentelemetry/api';
import type { DeadlineEntry } from './deadline-list.js';
import type { Job } from './job.js';

/** What an {@link Attempt} reports to (the consumer that started it). */
export interface AttemptOwner {
  /** The attempt ended: `ok` with the handler's value, or failed with `value` as the error. */
  finish(attempt: Attempt, ok: boolean, value: unknown): void;
  /** The error of an attempt that ran past its deadline. */
  deadlineError(): Error;
}

/**
 * Internal: one processing attempt of a job: its CONSUMER span, its deadline (an entry of the
 * consumer's {@link DeadlineList}, not a timer of its own) and its `AbortController`, created
 * only when the handler reads `ctx.signal`. The first of handler outcome, deadline and shutdown
 * ends it; later ones are ignored.
 */
export class Attempt implements DeadlineEntry {
  expiresAt = 0;
  prev: DeadlineEntry | undefined = undefined;
  next: DeadlineEntry | undefined = undefined;
  listed = false;
  /** Ended (the consumer has its outcome). */
  done = false;
  /** Ended by the consumer's shutdown: the message is left for redelivery. */
  shutdown = false;
  controller: AbortController | undefined = undefined;
  readonly resolved = (value: unknown): void => this.owner.finish(this, true, value);
  readonly rejected = (error: unknown): void => this.owner.finish(this, false, error);

  constructor(
    readonly job: Job,
    readonly number: number,
    readonly span: Span,
    readonly started: number,
    private readonly owner: AttemptOwner,
  ) {}

  /** The handler's signal (its controller is created on first use). */
  signal(): AbortSignal {
    this.controller ??= new AbortController();
    return this.controller.signal;
  }

  /** The deadline passed: the signal fires and the attempt fails. */
  expire(): void {
    const error = this.owner.deadlineError();
    this.controller?.abort(error);
    this.owner.finish(this, false, error);
  }
}
