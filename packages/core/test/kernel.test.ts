import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { createRouter, createService, silentLogger } from '../src/index.js';

const quiet = () => createService({ name: 't', version: '0', logger: silentLogger });

describe('the kernel', () => {
  it('runs once per request, before route middleware', async () => {
    const service = quiet();
    let seen: unknown;
    service.use(async (c, next) => {
      seen = c.var.requestId;
      await next();
    });
    service.get('/x', (c) => c.text(c.var.requestId));
    const res = await service.request('/x', { headers: { 'x-request-id': 'abc' } });
    expect(seen).toBe('abc');
    expect(await res.text()).toBe('abc');
    expect(res.headers.get('x-request-id')).toBe('abc');
  });

  it('runs for routes of a mounted router', async () => {
    const service = quiet();
    service.route(
      '/v1',
      createRouter().get('/x', (c) => c.json({ id: c.var.requestId })),
    );
    const res = await service.request('/v1/x', { headers: { 'x-request-id': 'r-1' } });
    expect(await res.json()).toEqual({ id: 'r-1' });
  });

  it('runs for a not-found handler set by the user', async () => {
    const service = quiet();
    service.notFound((c) => c.json({ id: c.var.requestId }, 404));
    const res = await service.request('/nowhere', { headers: { 'x-request-id': 'r-2' } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ id: 'r-2' });
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('comes along when the service is mounted into a plain Hono app', async () => {
    const service = quiet();
    service.get('/x', (c) => c.text(c.var.requestId ?? 'none'));
    const app = new Hono().route('/svc', service);
    const res = await app.request('/svc/x', { headers: { 'x-request-id': 'r-3' } });
    expect(await res.text()).toBe('r-3');
  });

  it('renders a value thrown by a synchronous handler as a problem', async () => {
    const service = quiet();
    service.get('/x', () => {
      throw { status: 418, title: "I'm a teapot" };
    });
    const { url } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    try {
      const res = await fetch(`${url}/x`);
      expect(res.status).toBe(418);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('x-request-id')).toBeTruthy();
    } finally {
      await service.close();
    }
  });

  it('keeps c.get working when detached from the context', async () => {
    const service = quiet();
    service.get('/x', (c) => {
      const { get } = c;
      return c.json({ aborted: (get('signal') as AbortSignal).aborted, id: get('requestId') });
    });
    const res = await service.request('/x', { headers: { 'x-request-id': 'r-4' } });
    expect(await res.json()).toEqual({ aborted: false, id: 'r-4' });
  });
});
