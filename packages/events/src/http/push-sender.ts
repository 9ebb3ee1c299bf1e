import { isRetryable, type Policy, policy } from '@milkyway/resilience';
import { encodeBinary } from '../cloudevents/binary-mode.js';
import type { CloudEventEnvelope } from '../cloudevents/envelope.js';
import { PublishError } from '../errors/publish-error.js';
import { PUSH_ATTEMPT_HEADER, PUSH_DESTINATION_HEADER } from './push-headers.js';

/** One failed POST: retryable or not, with the receiver's requested delay. */
class PushAttemptError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
    this.name = 'PushAttemptError';
  }
}

/** Settings of the sender (see `HttpPushTransportOptions`). */
export interface PushSenderSettings {
  readonly fetch: typeof fetch;
  readonly policyFor: (url: string) => Policy;
  readonly headers: () => Record<string, string> | Promise<Record<string, string>>;
}

/** The default resilience policy per receiver URL: deadline per attempt and in all, retries, breaker. */
export function defaultPushPolicy(url: string): Policy {
  return policy({
    name: `events-push ${url}`,
    totalTimeoutMs: 30_000,
    attemptTimeoutMs: 10_000,
    retry: {
      maxAttempts: 4,
      baseDelayMs: 200,
      maxDelayMs: 5_000,
      maxRetryAfterMs: 10_000,
      shouldRetry: isRetryable,
    },
    breaker: { failureRateThreshold: 50, minimumCalls: 10, resetTimeoutMs: 5_000 },
  });
}

/** POSTs one event to one receiver (binary mode) until it answers 2xx or the policy gives up. */
export async function pushTo(
  settings: PushSenderSettings,
  url: string,
  destination: string,
  envelope: CloudEventEnvelope,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { headers, body } = encodeBinary(envelope, 'http');
  try {
    await settings.policyFor(url).execute(
      async ({ signal: attemptSignal, attempt }) => {
        let response: Response;
        try {
          response = await settings.fetch(url, {
            method: 'POST',
            headers: {
              ...(await settings.headers()),
              ...headers,
              [PUSH_DESTINATION_HEADER]: destination,
              [PUSH_ATTEMPT_HEADER]: String(attempt + 1),
            },
            body: body as Uint8Array<ArrayBuffer>,
            signal: attemptSignal,
          });
        } catch (error) {
          if (attemptSignal.aborted) throw attemptSignal.reason;
          throw new PushAttemptError(
            `cannot reach ${url}: ${error instanceof Error ? error.message : String(error)}`,
            true,
            undefined,
          );
        }
        await response.body?.cancel().catch(() => undefined);
        if (response.ok) return;
        const status = response.status;
        const retryable = status >= 500 || status === 408 || status === 429;
        const seconds = Number(response.headers.get('retry-after'));
        throw new PushAttemptError(
          `${url} answered ${status}`,
          retryable,
          Number.isFinite(seconds) && seconds >= 0 ? seconds * 1_000 : undefined,
        );
      },
      signal ? { signal } : undefined,
    );
  } catch (error) {
    if (PublishError.is(error)) throw error;
    const retryable = !(error instanceof PushAttemptError) || error.retryable;
    throw new PublishError(destination, error instanceof Error ? error.message : String(error), {
      retryable,
      cause: error,
    });
  }
}
