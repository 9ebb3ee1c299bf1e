import { HttpError } from './http-error.js';

/**
 * One invalid input field: where it is and what is wrong. Never carries the rejected value.
 *
 * @example
 * ```ts
 * import type { ValidationIssue } from '@milkyway/core';
 *
 * const issue: ValidationIssue = {
 *   path: 'query.limit',
 *   message: 'Too big: expected number to be <=100',
 * };
 * ```
 */
export interface ValidationIssue {
  /** Location and path of the field, e.g. `query.limit` or `body.items.0.name`. */
  path: string;
  /** What is wrong, e.g. `Invalid input: expected number, received string`. */
  message: string;
}

/**
 * Thrown when a typed route's input does not match its schemas. Rendered as a 400 problem
 * (422 when the service is created with `validation: { status: 422 }`) listing `errors`.
 *
 * @example
 * ```ts
 * import { ValidationError } from '@milkyway/core';
 *
 * declare const err: unknown;
 * if (ValidationError.is(err)) console.error(err.errors);
 * throw new ValidationError([{ path: 'body.email', message: 'Invalid email address' }]);
 * ```
 */
export class ValidationError extends HttpError {
  static override readonly brand: symbol = Symbol.for('milkyway.validationError');

  /** @param errors - the invalid fields (path and message only). */
  constructor(readonly errors: ValidationIssue[]) {
    super(400, 'The request is invalid.', { extensions: { errors } });
  }
}
