import { ProblemError } from '@milkyway/protocol';
import type { z } from 'zod';

/**
 * A payload was refused at publish (or enqueue) because it fails its topic's schema: nothing
 * was sent. It is the service's own bug, so it renders as a 500 whose detail is not shown to
 * clients; `issues` and `eventType` are there for logs and tests.
 *
 * @example
 * ```ts
 * import { EventSchemaError } from '@milkyway/events';
 *
 * declare const error: unknown;
 * if (EventSchemaError.is(error)) console.error(error.eventType, error.issues);
 * ```
 */
export class EventSchemaError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.events.schema');

  /** The CloudEvents type of the refused event. */
  readonly eventType: string;
  /** The schema's issues. */
  readonly issues: readonly z.core.$ZodIssue[];

  /** Creates the error from the topic's type and the issues. */
  constructor(eventType: string, message: string, issues: readonly z.core.$ZodIssue[]) {
    super(500, `event ${eventType} refused: ${message}`, { expose: false });
    this.eventType = eventType;
    this.issues = issues;
  }
}
