// What Node's own `writeHead` costs for the six security headers createService sends by default
// (bench README, Round 5, §1): the same response head with and without them, built on a
// ServerResponse that is never sent, alternating rounds. Node validates and serialises each
// header line; there is no public API to hand it a pre-serialised block.
//   npx tsx src/micro/write-head.ts
import { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { createService } from '@milkyway/core';

// The exact header lines createService writes: read from a response of a service with the defaults.
const service = createService({ name: 'bench', version: '0.0.0' });
service.get('/', (c) => c.text('hello world'));
const probe = await service.request('/');
const security = [...probe.headers].filter(
  ([name]) => !['content-type', 'content-length', 'x-request-id'].includes(name),
);

const req = new IncomingMessage(new Socket());
req.method = 'GET';
req.httpVersionMajor = 1;
req.httpVersionMinor = 1;
const N = 100_000;

function head(withSecurity: boolean): { ns: number; bytes: number } {
  let bytes = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < N; i++) {
    const res = new ServerResponse(req);
    const headers: Record<string, string | number> = {
      'content-type': 'text/plain; charset=UTF-8',
      'Content-Length': 11,
    };
    if (withSecurity) for (const [name, value] of security) headers[name] = value;
    headers['x-request-id'] = '0b7f3c1e-8a2d-4f4e-9c6b-5d1a2e3f4a5b';
    res.writeHead(200, headers);
    bytes += (res as unknown as { _header: string })._header.length;
  }
  return { ns: Number(process.hrtime.bigint() - start) / N, bytes: bytes / N };
}

console.log(`Node ${process.version}; security headers: ${security.map(([n]) => n).join(', ')}`);
for (let round = 0; round < 6; round++) {
  const plain = head(false);
  const secure = head(true);
  if (round < 2) continue; // warm-up
  console.log(
    `without: ${(plain.ns / 1000).toFixed(2)} µs, ${plain.bytes} bytes | with: ${(secure.ns / 1000).toFixed(2)} µs, ${secure.bytes} bytes | added ${((secure.ns - plain.ns) / 1000).toFixed(2)} µs`,
  );
}
