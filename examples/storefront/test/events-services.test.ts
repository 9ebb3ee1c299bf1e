import { describe } from 'vitest';
import { eventsE2eSuite } from './events-e2e.js';
import { realServersAvailable, startRealServers } from './faults/servers.js';

// Skips (saying how to start them) when PostgreSQL or nats-server is missing; fails instead in
// CI (MILKYWAY_REQUIRE_SERVICES=1).
describe.runIf(await realServersAvailable())('with PostgreSQL and NATS JetStream', () => {
  eventsE2eSuite(
    'the storefront under faults (a fresh PostgreSQL database, a test-owned nats-server)',
    {
      transport: 'nats',
      servers: startRealServers,
    },
  );
});
