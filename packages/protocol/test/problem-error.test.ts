import { describe, expect, it } from 'vitest';
import {
  DeadlineExceededError,
  isProblemLike,
  isRejection,
  ProblemError,
  REJECTION,
} from '../src/index.js';

class QuotaError extends ProblemError {
  static override readonly brand: symbol = Symbol.for('test.quota');
  constructor(readonly resetSeconds: number) {
    super(429, 'quota used up', { headers: { 'retry-after': String(resetSeconds) } });
  }
}

class FastRejection extends ProblemError {
  static override readonly brand: symbol = Symbol.for('test.fast');
  static {
    Object.defineProperty(FastRejection.prototype, REJECTION, { value: true });
  }
  constructor() {
    super(503, 'full', { stack: false, headers: { 'retry-after': '1' } });
  }
}

describe('ProblemError', () => {
  it('carries status, detail and the members it was given, and exposes 4xx details only', () => {
    const error = new ProblemError(409, 'version conflict', { extensions: { current: 7 } });
    expect(error).toMatchObject({ status: 409, detail: 'version conflict', expose: true });
    expect(error.extensions).toEqual({ current: 7 });
    expect('title' in error).toBe(false);
    expect(new ProblemError(502, 'upstream said no').expose).toBe(false);
  });

  it('brand-checks each class separately and the base for all of them', () => {
    const quota = new QuotaError(3);
    expect(QuotaError.is(quota)).toBe(true);
    expect(ProblemError.is(quota)).toBe(true);
    expect(FastRejection.is(quota)).toBe(false);
    expect(QuotaError.is(new ProblemError(429))).toBe(false);
    expect(ProblemError.is({ status: 429 })).toBe(false);
  });

  it('recognises an error from another copy of the package by its Symbol.for brand', () => {
    const foreign = Object.assign(new Error('x'), { [Symbol.for('test.quota')]: true });
    expect(QuotaError.is(foreign)).toBe(true);
  });

  it('can skip the stack trace', () => {
    const error = new FastRejection();
    expect(error.headers).toEqual({ 'retry-after': '1' });
    expect(error.stack?.split('\n')).toHaveLength(1);
    expect(isRejection(error)).toBe(true);
    expect(isRejection(new QuotaError(1))).toBe(false);
    expect(error.name).toBe('FastRejection');
  });

  it('keeps the cause for logs', () => {
    const cause = new Error('ECONNREFUSED');
    expect(new ProblemError(503, 'unavailable', { cause }).cause).toBe(cause);
  });
});

describe('isProblemLike', () => {
  it('accepts any object with an integer status in 400–599 and nothing else', () => {
    expect(isProblemLike({ status: 404 })).toBe(true);
    expect(isProblemLike(new QuotaError(1))).toBe(true);
    expect(isProblemLike({ status: 200 })).toBe(false);
    expect(isProblemLike({ status: 404.5 })).toBe(false);
    expect(isProblemLike({ status: '404' })).toBe(false);
    expect(isProblemLike(null)).toBe(false);
  });
});

describe('DeadlineExceededError', () => {
  it('is a 504 whose message names no internals', () => {
    const error = new DeadlineExceededError({
      timeoutMs: 250,
      reason: 'timeout',
      source: 'db.internal',
    });
    expect(error).toMatchObject({ status: 504, expose: true, timeoutMs: 250, reason: 'timeout' });
    expect(error.message).toBe('timed out after 250 ms');
    expect(new DeadlineExceededError().message).toBe('deadline exceeded');
    expect(DeadlineExceededError.is(error)).toBe(true);
  });
});

describe('systemClock', () => {
  it('follows vitest fake timers (it reads Date.now on every call)', async () => {
    const { vi } = await import('vitest');
    const { systemClock } = await import('../src/index.js');
    vi.useFakeTimers({ now: 1_000 });
    try {
      expect(systemClock()).toBe(1_000);
      vi.advanceTimersByTime(250);
      expect(systemClock()).toBe(1_250);
    } finally {
      vi.useRealTimers();
    }
  });
});
