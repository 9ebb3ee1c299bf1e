import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createService, silentLogger } from '../src/index.js';
import { expectProblem, testRequest } from '../src/testing.js';

function build() {
  const service = createService({ name: 't', version: '0', logger: silentLogger });
  service.post('/echo', { body: z.object({ n: z.number() }) }, (c) =>
    c.json({ got: c.req.valid('json').n }, 201),
  );
  service.get('/search', { query: z.object({ tag: z.array(z.string()).or(z.string()) }) }, (c) =>
    c.json(c.req.valid('query')),
  );
  service.get('/text', (c) => c.text('plain'));
  return service;
}

describe('testRequest', () => {
  it('sends a JSON body and parses the JSON answer', async () => {
    const res = await testRequest<{ got: number }>(build(), '/echo', { json: { n: 7 } });
    expect(res.status).toBe(201);
    expect(res.body.got).toBe(7);
  });

  it('appends query parameters, repeating arrays', async () => {
    const res = await testRequest(build(), '/search', { query: { tag: ['a', 'b'] } });
    expect(res.body).toEqual({ tag: ['a', 'b'] });
  });

  it('returns text bodies as strings', async () => {
    expect((await testRequest(build(), '/text')).body).toBe('plain');
  });

  it('narrows problem answers with expectProblem', async () => {
    const res = await testRequest(build(), '/echo', { json: { n: 'x' } });
    expect(expectProblem(res).errors).toEqual([{ path: 'body.n', message: expect.any(String) }]);
  });

  it('refuses a non-problem answer in expectProblem', async () => {
    const res = await testRequest(build(), '/text');
    expect(() => expectProblem(res)).toThrow(/problem\+json/);
  });
});
