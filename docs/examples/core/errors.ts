// Errors: HttpError, the status protocol, and what a client receives.
import { createService, HttpError } from '@milkyway/core';

export const service = createService({
  name: 'billing',
  version: '1.0.0',
  validation: { status: 422 },
});

service.get('/invoices/:id', (c) => {
  const id = c.req.param('id');
  if (id === 'locked') {
    throw new HttpError(409, 'the invoice is being edited', {
      type: 'https://billing.example/problems/locked',
      title: 'Invoice Locked',
      extensions: { retryable: true },
      headers: { 'retry-after': '5' },
    });
  }
  return c.json({ id });
});

// Any thrown object with a numeric `status` is rendered the same way (no import of core needed):
export class QuotaExceeded extends Error {
  readonly status = 429;
  readonly headers = { 'retry-after': '60' };
}

service.get('/reports', () => {
  throw new QuotaExceeded('monthly report quota used up');
});

// Anything else is a 500 with no message, logged with the request id.
service.get('/bug', () => {
  throw new Error('this text never reaches the client');
});
