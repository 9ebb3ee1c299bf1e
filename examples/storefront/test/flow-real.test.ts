import { describe } from 'vitest';
import { serviceAvailable } from '../../../test-support/services.js';
import { flowSuite } from './flow-suite.js';

const up = (await serviceAvailable('postgres', 5432)) && (await serviceAvailable('nats', 4222));

describe.runIf(up)('with DATABASE_URL and NATS_URL', () => {
  // Each run gets its own schemas (sf_<run>_orders, sf_<run>_catalog, dropped at the end) and
  // its own NATS subject prefix: runs in parallel never see each other's data or events.
  flowSuite('the storefront event flow (PostgreSQL schemas, NATS JetStream)', {
    httpPush: false,
    env: {
      DATABASE_URL: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
      NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    },
  });
});
