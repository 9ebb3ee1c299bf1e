import { request as httpRequest } from 'node:http';
import { observability } from '@milkyway/observability';
import {
  type MetricsServer,
  serveMetrics,
  setupTelemetry,
  type Telemetry,
} from '@milkyway/observability/setup';
import { Hono } from 'hono';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let telemetry: Telemetry;
let admin: MetricsServer | undefined;
beforeEach(() => {
  telemetry = setupTelemetry({ serviceName: 'gateway', traces: 'none', prometheus: true });
});
afterEach(async () => {
  await admin?.close();
  admin = undefined;
  await telemetry.shutdown();
});

const TOKEN = 'scrape-secret-0123456789';

describe('serveMetrics()', () => {
  it('serves the Prometheus scrape on a loopback admin listener by default', async () => {
    const app = new Hono();
    app.use(observability());
    app.get('/products/:id', (c) => c.text('ok'));
    await app.request('/products/1');
    admin = await serveMetrics(telemetry, { port: 0 });
    expect(admin.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const response = await fetch(admin.url);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    expect(await response.text()).toContain('http_route="/products/:id"');
  });

  it('answers only its exact path: a dot-segment trick is a 404', async () => {
    admin = await serveMetrics(telemetry, { port: 0 });
    for (const path of [
      '/',
      '/products/%2e%2e/metrics',
      '/x/../metrics',
      '/metrics/',
      '/METRICS',
    ]) {
      expect([path, await rawStatus(admin.port, path)]).toEqual([path, 404]);
    }
  });

  it('refuses methods other than GET and HEAD with 405 and Allow', async () => {
    admin = await serveMetrics(telemetry, { port: 0 });
    const response = await fetch(admin.url, { method: 'POST', body: 'x' });
    await response.text();
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });

  it('answers HEAD without a body', async () => {
    admin = await serveMetrics(telemetry, { port: 0 });
    const response = await fetch(admin.url, { method: 'HEAD' });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
  });

  it('with a token, refuses a scrape without it or with a wrong one (401, WWW-Authenticate)', async () => {
    admin = await serveMetrics(telemetry, { port: 0, token: TOKEN });
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token-0123456789' },
    ];
    for (const headers of attempts) {
      const response = await fetch(admin.url, { headers });
      await response.text();
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
    }
  });

  it('with a token, serves a scrape that sends it', async () => {
    admin = await serveMetrics(telemetry, { port: 0, token: TOKEN });
    const response = await fetch(admin.url, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.status).toBe(200);
    await response.text();
  });

  it('refuses to bind a non-loopback address without a token', async () => {
    await expect(serveMetrics(telemetry, { port: 0, hostname: '0.0.0.0' })).rejects.toThrow(
      /pass a token/,
    );
  });

  it('refuses a token shorter than 16 characters', async () => {
    await expect(serveMetrics(telemetry, { port: 0, token: 'short' })).rejects.toThrow(
      /at least 16/,
    );
  });

  it('stops listening when closed', async () => {
    const server = await serveMetrics(telemetry, { port: 0 });
    await server.close();
    await expect(fetch(server.url)).rejects.toThrow();
  });

  it('refuses to start when the port is taken', async () => {
    admin = await serveMetrics(telemetry, { port: 0 });
    await expect(serveMetrics(telemetry, { port: admin.port })).rejects.toThrow(/EADDRINUSE/);
  });
});

/** The status of a GET sent with `path` exactly as written (fetch would normalise dot segments). */
function rawStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.setTimeout(5000, () => req.destroy(new Error(`no answer for ${path} within 5 s`)));
    req.on('error', reject);
    req.end();
  });
}
