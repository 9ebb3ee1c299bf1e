import { metrics } from '@opentelemetry/api';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bulkhead, circuitBreaker, METER_NAME, retry } from '../src/index.js';

class TestReader extends MetricReader {
  protected onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const reader = new TestReader();
const provider = new MeterProvider({ readers: [reader] });

beforeAll(() => {
  metrics.setGlobalMeterProvider(provider);
});
afterAll(async () => {
  metrics.disable();
  await provider.shutdown();
});

async function points(name: string) {
  const { resourceMetrics } = await reader.collect();
  const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === METER_NAME);
  const metric = scope?.metrics.find((m) => m.descriptor.name === name);
  return (metric?.dataPoints ?? []) as Array<{
    value: unknown;
    attributes: Record<string, unknown>;
  }>;
}

describe('telemetry', () => {
  it('reports breaker state as a gauge and transitions and rejections as counters', async () => {
    const breaker = circuitBreaker({ name: 'tele', minimumCalls: 1 });
    await breaker.execute(() => Promise.reject(new Error('x'))).catch(() => {});
    await breaker.execute(() => 1).catch(() => {});
    const state = (await points('milkyway.breaker.state')).find(
      (p) => p.attributes['milkyway.policy.name'] === 'tele',
    );
    expect(state?.value).toBe(2);
    const transitions = await points('milkyway.breaker.transitions');
    expect(transitions).toContainEqual(
      expect.objectContaining({
        value: 1,
        attributes: {
          'milkyway.policy.name': 'tele',
          'milkyway.breaker.from': 'closed',
          'milkyway.breaker.to': 'open',
        },
      }),
    );
    const rejections = await points('milkyway.breaker.rejections');
    expect(rejections).toContainEqual(
      expect.objectContaining({ value: 1, attributes: { 'milkyway.policy.name': 'tele' } }),
    );
    breaker.dispose();
  });

  it('counts bulkhead rejections and observes active calls', async () => {
    const pool = bulkhead({ name: 'tele-pool', maxConcurrent: 1 });
    let release!: () => void;
    const running = pool.execute(() => new Promise<void>((r) => (release = r)));
    await pool.execute(() => 1).catch(() => {});
    const active = (await points('milkyway.bulkhead.active')).find(
      (p) => p.attributes['milkyway.policy.name'] === 'tele-pool',
    );
    expect(active?.value).toBe(1);
    const rejected = (await points('milkyway.bulkhead.rejections')).find(
      (p) => p.attributes['milkyway.policy.name'] === 'tele-pool',
    );
    expect(rejected?.value).toBe(1);
    release();
    await running;
  });

  it('counts retries and give-ups with their reason', async () => {
    const r = retry({ name: 'tele-retry', maxAttempts: 2, baseDelayMs: 0 });
    await r.execute(() => Promise.reject(new Error('x'))).catch(() => {});
    const retries = (await points('milkyway.retry.retries')).find(
      (p) => p.attributes['milkyway.policy.name'] === 'tele-retry',
    );
    expect(retries?.value).toBe(1);
    const giveUps = (await points('milkyway.retry.give_ups')).find(
      (p) => p.attributes['milkyway.policy.name'] === 'tele-retry',
    );
    expect(giveUps?.attributes['milkyway.retry.reason']).toBe('attempts');
  });
});
