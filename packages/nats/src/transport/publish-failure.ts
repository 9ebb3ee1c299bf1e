import { JetStreamApiError } from '@nats-io/jetstream';
import { errors } from '@nats-io/transport-node';
import { NatsPublishError } from '../errors/nats-publish-error.js';
import { PublishAckError, type PublishAckFailure } from './publish-acks.js';

/** JetStream API error code: the message is larger than the stream's `max_msg_size`. */
const MESSAGE_SIZE_EXCEEDS_MAX_BYTES = 10054;

/** Turns whatever the client threw on publish into a {@link NatsPublishError}. */
export function publishFailure(
  destination: string,
  subject: string,
  error: unknown,
  bytes: number,
): NatsPublishError {
  if (error instanceof PublishAckError) {
    const { failure } = error;
    return failure.kind === 'client-error'
      ? publishFailure(destination, subject, failure.error, bytes)
      : ackFailure(destination, subject, failure, bytes);
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof errors.TimeoutError) {
    return new NatsPublishError(
      destination,
      subject,
      'timeout',
      'NATS did not acknowledge in time; it may be stored, and a retry with the same event id is deduplicated',
      error,
    );
  }
  if (
    error instanceof errors.ClosedConnectionError ||
    error instanceof errors.DrainingConnectionError
  ) {
    return new NatsPublishError(
      destination,
      subject,
      'closed',
      'the NATS connection is closed',
      error,
    );
  }
  if (/max_payload/i.test(message)) {
    return new NatsPublishError(
      destination,
      subject,
      'too-large',
      `the message (${bytes} bytes of data plus headers) exceeds the NATS server's max_payload`,
      error,
    );
  }
  if (error instanceof JetStreamApiError && error.code === MESSAGE_SIZE_EXCEEDS_MAX_BYTES) {
    return new NatsPublishError(
      destination,
      subject,
      'too-large',
      `the message (${bytes} bytes of data) exceeds the stream's max_msg_size`,
      error,
    );
  }
  // The client reports "no responders" (nothing stores the subject) as JetStreamNotEnabled,
  // a class its public entry does not export: match by name.
  if (error instanceof Error && error.name === 'JetStreamNotEnabled') {
    return new NatsPublishError(
      destination,
      subject,
      'no-stream',
      'no JetStream stream stores this subject (or JetStream is off)',
      error,
    );
  }
  if (error instanceof errors.ConnectionError) {
    return new NatsPublishError(
      destination,
      subject,
      'disconnected',
      `NATS connection lost: ${message}`,
      error,
    );
  }
  return new NatsPublishError(
    destination,
    subject,
    'refused',
    `NATS refused the message: ${message}`,
    error,
  );
}

/** A failure {@link PublishAcks} reports (a client error is mapped as the client's error). */
function ackFailure(
  destination: string,
  subject: string,
  failure: Exclude<PublishAckFailure, { kind: 'client-error' }>,
  bytes: number,
): NatsPublishError {
  switch (failure.kind) {
    case 'timeout':
      return new NatsPublishError(
        destination,
        subject,
        'timeout',
        'NATS did not acknowledge in time; it may be stored, and a retry with the same event id is deduplicated',
      );
    case 'closed':
      return new NatsPublishError(destination, subject, 'closed', 'the NATS connection is closed');
    case 'no-responders':
      return new NatsPublishError(
        destination,
        subject,
        'no-stream',
        'no JetStream stream stores this subject (or JetStream is off)',
      );
    case 'api-error':
      return failure.errCode === MESSAGE_SIZE_EXCEEDS_MAX_BYTES
        ? new NatsPublishError(
            destination,
            subject,
            'too-large',
            `the message (${bytes} bytes of data) exceeds the stream's max_msg_size`,
          )
        : new NatsPublishError(
            destination,
            subject,
            'refused',
            `NATS refused the message: ${failure.description} (JetStream error ${failure.errCode})`,
          );
    case 'invalid-ack':
      return new NatsPublishError(
        destination,
        subject,
        'refused',
        `NATS answered with something other than an acknowledgement: ${failure.detail}`,
      );
  }
}
