import { metrics, SpanKind, trace } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createEventBus, defineTopic, memoryTransport } from '../src/index.js';
import { until } from './support.js';

class CollectingReader extends MetricReader {
  protected async onShutdown() {}
  protected async onForceFlush() {}
}

const orderPlaced = defineTopic({
  name: 'order.placed',
  version: 1,
  schema: z.object({ orderId: z.string() }),
});

describe('telemetry', () => {
  const spans = new InMemorySpanExporter();
  const reader = new CollectingReader();
  beforeAll(() => {
    trace.setGlobalTracerProvider(
      new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }),
    );
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  });
  afterAll(() => {
    trace.disable();
    metrics.disable();
  });

  it('continues the trace from the PRODUCER span of a publish to the CONSUMER span of its processing', async () => {
    spans.reset();
    const bus = createEventBus({ source: '/orders', transport: memoryTransport() });
    let handled = 0;
    await bus.subscribe(orderPlaced, () => void handled++, { group: 'catalog' });
    const sent = await bus.publish(orderPlaced, { orderId: 'o-1' });
    await until(() => handled === 1 && spans.getFinishedSpans().length === 2, 'both spans end');
    const producer = spans.getFinishedSpans().find((s) => s.kind === SpanKind.PRODUCER)!;
    const consumer = spans.getFinishedSpans().find((s) => s.kind === SpanKind.CONSUMER)!;
    expect(producer.name).toBe('send order.placed.v1');
    expect(consumer.name).toBe('process order.placed.v1');
    expect(consumer.spanContext().traceId).toBe(producer.spanContext().traceId);
    expect(consumer.parentSpanContext?.spanId).toBe(producer.spanContext().spanId);
    expect(sent.attributes.traceparent).toContain(producer.spanContext().spanId);
    expect(producer.attributes).toMatchObject({
      'messaging.system': 'memory',
      'messaging.destination.name': 'order.placed.v1',
      'messaging.operation.type': 'send',
      'messaging.message.id': sent.attributes.id,
    });
    expect(consumer.attributes).toMatchObject({
      'messaging.operation.type': 'process',
      'messaging.consumer.group.name': 'catalog',
      'messaging.message.id': sent.attributes.id,
    });
    await bus.close();
  });

  it('counts sent and processed messages by outcome and dead letters by reason', async () => {
    const transport = memoryTransport();
    const bus = createEventBus({ source: '/orders', transport });
    let calls = 0;
    await bus.subscribe(
      orderPlaced,
      (event) => {
        calls++;
        if (event.data.orderId === 'bad') throw new Error('boom');
      },
      { group: 'metrics', retry: { maxAttempts: 1 } },
    );
    await bus.publish(orderPlaced, { orderId: 'ok' });
    await bus.publish(orderPlaced, { orderId: 'bad' });
    transport.inject(orderPlaced.destination, { headers: {}, body: new Uint8Array() });
    await until(() => calls === 2, 'both events processed');
    const points = async (name: string) => {
      // The dead letters are published after the last handler call: wait for them to be counted.
      const { resourceMetrics } = await reader.collect();
      const metric = resourceMetrics.scopeMetrics
        .flatMap((s) => s.metrics)
        .find((m) => m.descriptor.name === name);
      return (metric?.dataPoints ?? []).filter(
        (p) => p.attributes['messaging.consumer.group.name'] === 'metrics' || name.includes('sent'),
      );
    };
    for (let i = 0; i < 100 && (await points('milkyway.events.dead_lettered')).length < 2; i++) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    const outcomes = Object.fromEntries(
      (await points('milkyway.events.processed')).map((p) => [
        p.attributes['milkyway.events.outcome'],
        p.value,
      ]),
    );
    expect(outcomes).toEqual({ success: 1, dead_letter: 2 });
    const reasons = Object.fromEntries(
      (await points('milkyway.events.dead_lettered')).map((p) => [
        p.attributes['milkyway.events.dead_letter.reason'],
        p.value,
      ]),
    );
    expect(reasons).toEqual({ 'handler-failed': 1, 'missing-attributes': 1 });
    expect((await points('messaging.process.duration')).length).toBeGreaterThan(0);
    await bus.close();
  });
});
