import { describe, expect, it } from 'vitest';
import { createLogger, createService, HttpError } from '../src/index.js';

function recorded() {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level: 'debug', write: (line) => lines.push(JSON.parse(line)) });
  const service = createService({ name: 'logs', version: '0.0.0', logger });
  return { service, lines: () => lines.filter((l) => l.path !== undefined) };
}

describe('logging of thrown errors', () => {
  it('logs an expected 4xx HttpError at debug, without a stack', async () => {
    const { service, lines } = recorded();
    service.get('/missing', () => {
      throw new HttpError(404, 'no such product');
    });
    await service.request('/missing', { headers: { 'x-request-id': 'r-404' } });
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 20,
        status: 404,
        requestId: 'r-404',
        path: '/missing',
        msg: 'no such product',
      }),
    ]);
    expect(JSON.stringify(lines())).not.toContain('stack');
  });

  it('logs a deliberate 503 at warn without its own stack', async () => {
    const { service, lines } = recorded();
    service.get('/maintenance', () => {
      throw new HttpError(503, 'down for maintenance');
    });
    await service.request('/maintenance');
    expect(lines()).toEqual([expect.objectContaining({ level: 40, status: 503 })]);
    expect(JSON.stringify(lines())).not.toContain('stack');
  });

  it("logs a deliberate 5xx's underlying cause with its stack", async () => {
    const { service, lines } = recorded();
    service.get('/upstream', () => {
      throw new HttpError(502, 'inventory unavailable', { cause: new Error('ECONNREFUSED') });
    });
    await service.request('/upstream');
    const [line] = lines();
    expect(line).toMatchObject({ level: 40, status: 502, err: { message: 'ECONNREFUSED' } });
    expect((line?.err as { stack?: string } | undefined)?.stack).toContain('ECONNREFUSED');
  });

  it('logs an unknown error at error level with its stack', async () => {
    const { service, lines } = recorded();
    service.get('/bug', () => {
      throw new TypeError('undefined is not a function');
    });
    await service.request('/bug');
    const [line] = lines();
    expect(line).toMatchObject({ level: 50, err: { type: 'TypeError' } });
    expect((line?.err as { stack?: string } | undefined)?.stack).toContain('TypeError');
  });
});
