import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { retryBudget } from '../src/index.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('retryBudget', () => {
  it('allows the floor of retries even with no traffic', () => {
    const budget = retryBudget({ ratio: 0.1, minRetriesPerSecond: 1, windowMs: 10_000 });
    let granted = 0;
    while (budget.tryAcquire()) granted++;
    expect(granted).toBe(10);
  });

  it('allows retries in proportion to requests above the floor', () => {
    const budget = retryBudget({ ratio: 0.2, minRetriesPerSecond: 0, windowMs: 10_000 });
    for (let i = 0; i < 100; i++) budget.recordRequest();
    let granted = 0;
    while (budget.tryAcquire()) granted++;
    expect(granted).toBe(20);
  });

  it('refills as the window slides past old retries', () => {
    const budget = retryBudget({ ratio: 0, minRetriesPerSecond: 0.5, windowMs: 10_000 });
    while (budget.tryAcquire()) {}
    expect(budget.available).toBe(0);
    vi.advanceTimersByTime(10_000);
    expect(budget.available).toBe(5);
  });

  it('caps the load an outage adds at the ratio', () => {
    const budget = retryBudget({ ratio: 0.1, minRetriesPerSecond: 0, windowMs: 10_000 });
    let retries = 0;
    for (let i = 0; i < 1_000; i++) {
      budget.recordRequest();
      // Every request fails and wants two retries.
      if (budget.tryAcquire()) retries++;
      if (budget.tryAcquire()) retries++;
    }
    expect(retries).toBeLessThanOrEqual(100);
    expect(retries).toBeGreaterThanOrEqual(99);
  });
});
