import { type Counter, metrics, trace } from '@opentelemetry/api';

/** @internal instruments, created lazily so a meter provider registered later is used. */
export interface AuthInstruments {
  verifications: Counter;
  tokenCache: Counter;
}

let instruments: AuthInstruments | undefined;
let provider: unknown;

/** @internal */
export function authInstruments(): AuthInstruments {
  const current = metrics.getMeterProvider();
  if (instruments === undefined || provider !== current) {
    provider = current;
    const meter = metrics.getMeter('@milkyway/auth');
    instruments = {
      verifications: meter.createCounter('milkyway.auth.verifications', {
        description: 'Credential checks by result (success|failure), reason and method',
      }),
      tokenCache: meter.createCounter('milkyway.auth.token_cache.requests', {
        description: 'Verified-token cache look-ups by milkyway.cache.result (hit|miss)',
      }),
    };
  }
  return instruments;
}

/** @internal records a refusal on the active span (the reason only: never the credential). */
export function recordFailure(method: 'jwt' | 'api_key', reason: string): void {
  authInstruments().verifications.add(1, {
    'milkyway.auth.result': 'failure',
    'milkyway.auth.reason': reason,
    'milkyway.auth.method': method,
  });
  trace.getActiveSpan()?.addEvent('milkyway.auth.failure', {
    'milkyway.auth.reason': reason,
    'milkyway.auth.method': method,
  });
}
