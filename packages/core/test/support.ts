import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import type { MiddlewareHandler } from 'hono';
import { afterAll } from 'vitest';

export { manualClock } from '../../../test-support/manual-clock.js';

/**
 * Registers a global meter provider whose data points the test reads after
 * `await reader.forceFlush()` (exported only on demand). Call once per test file.
 */
export function installMetricReader() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  afterAll(() => reader.shutdown());
  return { exporter, reader };
}

/** Sets `c.var.principal` (auth's protocol) from an `x-user` header, as a JWT guard would. */
export const principalFromHeader: MiddlewareHandler = async (c, next) => {
  const user = c.req.header('x-user');
  if (user) {
    c.set(
      'principal' as never,
      { subject: user, scopes: [], roles: [], claims: {}, type: 'jwt' } as never,
    );
  }
  await next();
};
