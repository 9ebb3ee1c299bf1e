import { metrics } from '@opentelemetry/api';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';

/** The SDK's meter provider with a periodic reader and an in-memory exporter, registered globally. */
export function setupPeerMetrics() {
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  const provider = new MeterProvider({
    readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 1000 })],
  });
  metrics.setGlobalMeterProvider(provider);
  setInterval(() => exporter.reset(), 1000).unref();
  return { shutdown: () => provider.shutdown() };
}
