/**
 * Where Milkyway's problem type URIs point: the anchors of `docs/problems.md` in the project's
 * repository, one per problem type. A service may serve its own copy and rewrite the base
 * (`@milkyway/core`: `createService({ problemTypeBaseUrl })`).
 *
 * @example
 * ```ts
 * import { PROBLEM_TYPE_BASE } from '@milkyway/protocol';
 *
 * const page = PROBLEM_TYPE_BASE.split('#')[0]; // the problems page
 * ```
 */
export const PROBLEM_TYPE_BASE =
  'https://github.com/milkyway-dev/milkyway/blob/main/docs/problems.md#';

/**
 * The type URI of one of Milkyway's problems: {@link PROBLEM_TYPE_BASE} and the anchor, which is
 * the heading of that problem in `docs/problems.md`. RFC 9457 §4.2.1: a problem with its own
 * `title` needs its own `type`.
 *
 * @example
 * ```ts
 * import { ProblemError, problemType } from '@milkyway/protocol';
 *
 * throw new ProblemError(503, 'the database is unavailable, retry later', {
 *   title: 'Database Unavailable',
 *   type: problemType('database-unavailable'),
 * });
 * ```
 */
export function problemType(anchor: string): string {
  return PROBLEM_TYPE_BASE + anchor;
}
