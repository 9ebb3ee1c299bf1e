// Testing in-process: no port, no network.
import { createService, silentLogger } from '@milkyway/core';
import { expectProblem, testRequest } from '@milkyway/core/testing';
import { z } from 'zod';

export function buildService() {
  const service = createService({ name: 'notes', version: '1.0.0', logger: silentLogger });
  return service.post(
    '/notes',
    {
      body: z.object({ text: z.string().min(1) }),
      responses: { 201: z.object({ id: z.string() }) },
    },
    (c) => c.json({ id: `n-${c.req.valid('json').text.length}` }, 201),
  );
}

export async function exampleTest() {
  const service = buildService();

  // Hono's own in-process call:
  const raw = await service.request('/notes', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'hi' }),
  });
  console.assert(raw.status === 201);

  // The helper: JSON in, parsed body out.
  const created = await testRequest<{ id: string }>(service, '/notes', { json: { text: 'hello' } });
  console.assert(created.body.id === 'n-5');

  const invalid = await testRequest(service, '/notes', { json: { text: '' } });
  console.assert(expectProblem(invalid).errors?.[0]?.path === 'body.text');
}
