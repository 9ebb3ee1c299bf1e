import { PROBLEM_TYPE_BASE } from '@milkyway/protocol';
import { describe, expect, it } from 'vitest';
import { createService, HttpError, rateLimit, silentLogger, toProblem } from '../src/index.js';

describe('problem titles and types (RFC 9457 §4.2.1)', () => {
  it('renders the status phrase as the title of an about:blank problem', () => {
    const { problem } = toProblem({ status: 503, title: 'Circuit Open' });
    expect(problem).toMatchObject({ type: 'about:blank', title: 'Service Unavailable' });
  });

  it('keeps a custom title that comes with a type URI', () => {
    const error = new HttpError(429, 'monthly quota used up', {
      title: 'Quota Exceeded',
      type: 'https://api.example/problems/quota',
    });
    expect(toProblem(error).problem).toMatchObject({
      type: 'https://api.example/problems/quota',
      title: 'Quota Exceeded',
    });
  });

  it('refuses a custom title without a type at compile time', () => {
    // @ts-expect-error a custom title needs a type URI
    const error = new HttpError(409, 'taken', { title: 'Name Taken' });
    expect(toProblem(error).problem.title).toBe('Conflict');
  });

  it("points Milkyway's own problem types at docs/problems.md anchors", async () => {
    const service = createService({ name: 'p', version: '0.0.0', logger: silentLogger });
    service.get('/r', rateLimit({ limit: 1, windowMs: 60_000 }), (c) => c.text('ok'));
    await service.request('/r');
    const refused = await (await service.request('/r')).json();
    expect(refused.type).toBe(`${PROBLEM_TYPE_BASE}rate-limited`);
  });

  it('rewrites them to a configured base URL', async () => {
    const service = createService({
      name: 'p',
      version: '0.0.0',
      logger: silentLogger,
      problemTypeBaseUrl: 'https://api.example/problems#',
    });
    service.get('/r', rateLimit({ limit: 1, windowMs: 60_000 }), (c) => c.text('ok'));
    await service.request('/r');
    const refused = await (await service.request('/r')).json();
    expect(refused.type).toBe('https://api.example/problems#rate-limited');
  });
});
