import type { Delivery } from '../transport/transport.js';
import type { DestinationInfo } from './destination-info.js';
import type { ReceivedEvent } from './handler.js';
import type { Held } from './held-deliveries.js';
import type { LaneTask } from './keyed-lanes.js';

/**
 * Internal: one delivery a consumer holds, from its arrival to its settlement: the record the
 * keep-alive timer, the key lanes and the attempts share (one object per message).
 */
export class Job implements Held, LaneTask {
  settled = false;
  /** The lane (if any) was told this job is over. */
  finished = false;
  laneNext: LaneTask | undefined = undefined;
  /** The typed event, once the delivery passed decoding and validation. */
  event: ReceivedEvent | undefined = undefined;
  /** The ordering key under `ordering: 'key'`: the job is retried in place. */
  key: string | undefined = undefined;

  constructor(
    readonly delivery: Delivery,
    readonly info: DestinationInfo,
  ) {}
}
