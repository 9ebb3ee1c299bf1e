/**
 * The hello example's responses against its own OpenAPI document: the exchanges of its e2e
 * suite (examples/hello/test), replayed in-process, each validated with the storefront's
 * conformance checker (Ajv, JSON Schema 2020-12). The storefront suite runs the same check
 * over real sockets on every response it receives (examples/storefront/test/suite.ts).
 */
import { describe, expect, it } from 'vitest';
import { createApp } from '../examples/hello/src/app.js';
import {
  conformanceMismatches,
  type RecordedExchange,
} from '../examples/storefront/test/openapi-conformance.js';

const ORIGIN = 'http://hello.local';
const json = { 'content-type': 'application/json' };

/** The requests hello's e2e suite makes, in its order (one app, so state carries over). */
const SCENARIO: Array<[string, RequestInit?]> = [
  ['/hello/ada', { headers: { 'x-request-id': 'req-1' } }],
  [
    '/names',
    { method: 'POST', headers: json, body: JSON.stringify({ id: 'ada', display: 'Ada' }) },
  ],
  ['/hello/ada'],
  ['/names', { method: 'POST', headers: json, body: JSON.stringify({ id: 'ada', display: 'A' }) }],
  ['/names', { method: 'POST', headers: json, body: JSON.stringify({ id: '' }) }],
  ['/names', { method: 'POST', headers: json, body: '{"id": ' }],
  ['/names', { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'ada' }],
  ['/hello/grace'],
  ['/nope'],
];

describe('OpenAPI conformance of the examples', () => {
  it("every response of hello's suite conforms to hello's OpenAPI document", async () => {
    const app = createApp();
    const doc = await (await app.request('/openapi.json')).json();
    const exchanges: RecordedExchange[] = [];
    for (const [path, init] of SCENARIO) {
      const res = await app.request(path, init);
      exchanges.push({
        method: init?.method ?? 'GET',
        url: `${ORIGIN}${path}`,
        status: res.status,
        contentType: res.headers.get('content-type'),
        text: await res.text(),
      });
    }
    const statuses = exchanges.map((x) => x.status);
    expect(statuses).toEqual([200, 201, 200, 409, 400, 400, 415, 200, 404]);
    const { checked, mismatches } = conformanceMismatches(exchanges, (origin) =>
      origin === ORIGIN ? doc : undefined,
    );
    expect(mismatches).toEqual([]);
    expect(checked).toBe(SCENARIO.length);
  });
});
