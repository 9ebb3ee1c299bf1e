import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createService, silentLogger } from '../src/index.js';

function app() {
  const service = createService({ name: 't', version: '0', logger: silentLogger });
  const stored: string[] = [];
  service.post(
    '/names',
    { body: z.object({ name: z.string() }), responses: { 201: z.object({ name: z.string() }) } },
    (c) => {
      stored.push(c.req.valid('json').name);
      return c.json(c.req.valid('json'), 201);
    },
  );
  return { service, stored };
}

function post(service: ReturnType<typeof app>['service'], body: Buffer | string, type: string) {
  return service.request('/names', {
    method: 'POST',
    headers: { 'content-type': type, 'content-length': String(Buffer.byteLength(body)) },
    body: typeof body === 'string' ? body : new Blob([new Uint8Array(body)]),
  });
}

describe('a JSON request body', () => {
  it('with invalid UTF-8 is refused with 400 problem+json and nothing is stored', async () => {
    const { service, stored } = app();
    // {"name":"a<0xff>b"}: 0xff never occurs in UTF-8.
    const bytes = Buffer.concat([
      Buffer.from('{"name":"a'),
      Buffer.from([0xff]),
      Buffer.from('b"}'),
    ]);
    const res = await post(service, bytes, 'application/json');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({ detail: 'The JSON request body is not valid UTF-8.' });
    expect(stored).toEqual([]);
  });

  it('declared with another charset is refused with 415', async () => {
    const { service, stored } = app();
    const res = await post(service, '{"name":"a"}', 'application/json; charset=iso-8859-1');
    expect(res.status).toBe(415);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(stored).toEqual([]);
  });

  it('declared as UTF-8, in any spelling, is accepted with its characters intact', async () => {
    const { service, stored } = app();
    for (const type of ['application/json; charset=utf-8', 'application/json;charset="UTF-8"']) {
      expect((await post(service, '{"name":"Zoë ✓"}', type)).status).toBe(201);
    }
    expect(stored).toEqual(['Zoë ✓', 'Zoë ✓']);
  });

  it('with a leading byte order mark is accepted (RFC 8259 §8.1 lets a parser ignore it)', async () => {
    const { service, stored } = app();
    const res = await post(service, '\uFEFF{"name":"a"}', 'application/json');
    expect(res.status).toBe(201);
    expect(stored).toEqual(['a']);
  });

  it('that is not JSON is still refused with 400 Malformed JSON', async () => {
    const { service } = app();
    const res = await post(service, '{"name":', 'application/json');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ detail: 'Malformed JSON in request body.' });
  });
});
