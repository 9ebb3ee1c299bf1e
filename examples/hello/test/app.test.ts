import { Validator } from '@seriousme/openapi-schema-validator';
import { hc } from 'hono/client';
import { describe, expect, it } from 'vitest';
import { createApp, type HelloApp } from '../src/app.js';

describe('hello (in-process)', () => {
  it('greets by name with the request id', async () => {
    const res = await createApp().request('/hello/ada', { headers: { 'x-request-id': 'req-1' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: 'Hello, ada!', requestId: 'req-1' });
  });

  it('uses a registered display name', async () => {
    const app = createApp();
    const created = await app.request('/names', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'ada', display: 'Ada Lovelace' }),
    });
    expect(created.status).toBe(201);
    expect((await (await app.request('/hello/ada')).json()).message).toBe('Hello, Ada Lovelace!');
  });

  it('refuses a taken id with a 409 problem', async () => {
    const app = createApp();
    const body = JSON.stringify({ id: 'x', display: 'X' });
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body };
    await app.request('/names', init);
    const res = await app.request('/names', init);
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('answers invalid input with a 400 problem listing the fields', async () => {
    const res = await createApp().request('/names', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: '' }),
    });
    expect(res.status).toBe(400);
    const paths = (await res.json()).errors.map((e: { path: string }) => e.path);
    expect(paths.sort()).toEqual(['body.display', 'body.id']);
  });

  it('serves health endpoints', async () => {
    const app = createApp();
    expect((await app.request('/livez')).status).toBe(200);
    expect((await app.request('/readyz')).status).toBe(200);
  });

  it('serves a valid OpenAPI 3.1 document', async () => {
    const doc = await (await createApp().request('/openapi.json')).json();
    const result = await new Validator().validate(doc);
    expect(result.valid).toBe(true);
    expect(Object.keys(doc.paths)).toEqual(['/hello/{name}', '/names']);
  });

  it('works with a typed client', async () => {
    const app = createApp();
    const client = hc<HelloApp>('http://hello.local', {
      fetch: (input: RequestInfo | URL, init?: RequestInit) => app.request(input, init),
    });
    const res = await client.hello[':name'].$get({ param: { name: 'grace' } });
    expect(res.status).toBe(200);
    if (res.status === 200) expect((await res.json()).message).toBe('Hello, grace!');
  });
});
