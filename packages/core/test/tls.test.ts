import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { describe, expect, it } from 'vitest';
import { createService, silentLogger } from '../src/index.js';

const key = readFileSync(new URL('./fixtures/tls-key.pem', import.meta.url));
const cert = readFileSync(new URL('./fixtures/tls-cert.pem', import.meta.url));

describe('TLS', () => {
  it('serves HTTPS when given a key and certificate', async () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger });
    service.get('/hello', (c) => c.text('over tls'));
    const { port, url } = await service.listen({
      port: 0,
      hostname: '127.0.0.1',
      tls: { key, cert },
      signals: false,
    });
    try {
      expect(url).toBe(`https://127.0.0.1:${port}`);
      const body = await new Promise<string>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/hello', ca: cert }, (res) => {
          let text = '';
          res.on('data', (chunk) => {
            text += chunk;
          });
          res.on('end', () => resolve(text));
        });
        req.on('error', reject);
        req.end();
      });
      expect(body).toBe('over tls');
    } finally {
      await service.close();
    }
  });
});
