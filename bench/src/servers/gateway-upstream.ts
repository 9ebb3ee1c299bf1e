// §8: the one upstream every gateway forwards to, a bare node:http process.
//   GET  /orders/:id       a ~1 KB JSON order (the load phase)
//   POST /upload           reads the body, answers { bytes, sha256 }
//   GET  /download?bytes=N streams N bytes of the pattern in src/gateway/pattern.ts (chunked)
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { patternChunk } from '../gateway/pattern.js';
import { announce } from './announce.js';

const ORDER = Buffer.from(
  JSON.stringify({
    id: 'ord_1',
    customerId: 'cus_1',
    status: 'paid',
    currency: 'EUR',
    totalCents: 12_345,
    createdAt: '2026-12-01T10:00:00.000Z',
    shipping: { name: 'Ada Lovelace', street: '12 Analytical Row', city: 'London', zip: 'N1 9GU' },
    items: Array.from({ length: 11 }, (_, i) => ({
      sku: `sku_${i}`,
      name: `Product number ${i}`,
      quantity: 1 + (i % 3),
      priceCents: 500 + i * 25,
    })),
  }),
);

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  if (req.method === 'POST' && url.startsWith('/upload')) {
    const hash = createHash('sha256');
    let bytes = 0;
    req.on('data', (chunk: Buffer) => {
      bytes += chunk.byteLength;
      hash.update(chunk);
    });
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') }));
    });
    return;
  }
  if (url.startsWith('/download')) {
    const total = Number(new URL(url, 'http://x').searchParams.get('bytes') ?? 0);
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const chunk = patternChunk(sent, total);
        sent += chunk.byteLength;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      res.end();
    };
    pump();
    return;
  }
  req.resume();
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': ORDER.byteLength });
  res.end(ORDER);
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => announce(server));
