import { ProblemError } from '@milkyway/protocol';

/**
 * A stream or consumer the service needs is missing or configured differently, found at
 * start-up. In `'check'` mode nothing is created, so this lists what the infrastructure must
 * provide; in `'create'` mode it reports what the broker refused.
 *
 * @example
 * ```ts
 * import { NatsProvisioningError } from '@milkyway/nats';
 *
 * declare const err: unknown;
 * if (NatsProvisioningError.is(err)) for (const p of err.problems) console.error(p);
 * ```
 */
export class NatsProvisioningError extends ProblemError {
  static override readonly brand = Symbol.for('milkyway.nats.provisioning');
  /** One line per missing or mismatched stream or consumer. */
  readonly problems: readonly string[];

  /** @param problems - one line per missing or mismatched stream or consumer. */
  constructor(problems: readonly string[], options: { cause?: unknown } = {}) {
    super(500, `NATS streams/consumers are not as required:\n  - ${problems.join('\n  - ')}`, {
      title: 'Messaging not provisioned',
      expose: false,
      cause: options.cause,
    });
    this.name = 'NatsProvisioningError';
    this.problems = problems;
  }
}
