import type { Attributes } from '@opentelemetry/api';
import { ATTR } from '../telemetry/instruments.js';

/** The outcomes of `milkyway.events.processed`. */
export type Outcome = 'success' | 'duplicate' | 'retry' | 'dead_letter' | 'abandoned';

/**
 * Internal: what a consumer's telemetry needs per destination, built once per destination
 * instead of once per message: the span name and the metric attribute sets (shared, frozen).
 */
export interface DestinationInfo {
  readonly name: string;
  /** `process <destination>`. */
  readonly spanName: string;
  /** system, destination, group. */
  readonly base: Attributes;
  /** `base` + `milkyway.events.outcome`. */
  readonly outcomes: Readonly<Record<Outcome, Attributes>>;
}

/** Builds the {@link DestinationInfo} of one destination of a consumer group. */
export function destinationInfo(system: string, group: string, name: string): DestinationInfo {
  const base = Object.freeze({
    [ATTR.system]: system,
    [ATTR.destination]: name,
    [ATTR.group]: group,
  });
  const outcome = (value: Outcome) => Object.freeze({ ...base, [ATTR.outcome]: value });
  return {
    name,
    spanName: `process ${name}`,
    base,
    outcomes: {
      success: outcome('success'),
      duplicate: outcome('duplicate'),
      retry: outcome('retry'),
      dead_letter: outcome('dead_letter'),
      abandoned: outcome('abandoned'),
    },
  };
}
