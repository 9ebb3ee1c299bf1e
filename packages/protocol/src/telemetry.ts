/**
 * Protocol 7 — telemetry. Every package emits through `@opentelemetry/api` only (a no-op until
 * the user registers an SDK), with its instrumentation scope named after the package.
 *
 * @example
 * ```ts
 * import { instrumentationScope } from '@milkyway/protocol';
 *
 * instrumentationScope('events'); // '@milkyway/events'
 * ```
 */
export function instrumentationScope(packageName: string): string {
  return `@milkyway/${packageName}`;
}
