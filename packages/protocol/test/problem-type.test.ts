import { describe, expect, it } from 'vitest';
import { PROBLEM_TYPE_BASE, problemType } from '../src/index.js';

describe('problem type URIs', () => {
  it('point at an anchor of the problems page', () => {
    expect(problemType('rate-limited')).toBe(`${PROBLEM_TYPE_BASE}rate-limited`);
    expect(PROBLEM_TYPE_BASE.endsWith('/docs/problems.md#')).toBe(true);
  });
});
