import { describe, expect, it } from 'vitest';
import { createLogger, silentLogger } from '../src/index.js';

function capture(level?: 'debug' | 'info' | 'warn' | 'error' | 'silent') {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger({ level, write: (line) => lines.push(JSON.parse(line)) });
  return { logger, lines };
}

describe('createLogger', () => {
  it('writes one JSON line with level, time, message and fields', () => {
    const { logger, lines } = capture();
    logger.info({ orderId: 'o-1' }, 'placed');
    expect(lines).toEqual([{ level: 30, time: expect.any(Number), orderId: 'o-1', msg: 'placed' }]);
  });

  it('drops lines below its level', () => {
    const { logger, lines } = capture('warn');
    logger.info({}, 'no');
    logger.debug({}, 'no');
    logger.warn({}, 'yes');
    expect(lines.map((l) => l.msg)).toEqual(['yes']);
  });

  it('adds child bindings to every line', () => {
    const { logger, lines } = capture();
    logger.child({ requestId: 'r-1' }).error({ status: 500 }, 'boom');
    expect(lines[0]).toMatchObject({ level: 50, requestId: 'r-1', status: 500, msg: 'boom' });
  });

  it('serializes errors with their message and stack', () => {
    const { logger, lines } = capture();
    logger.error({ err: new Error('broken', { cause: new Error('root') }) }, 'failed');
    expect(lines[0]?.err).toMatchObject({
      type: 'Error',
      message: 'broken',
      cause: { message: 'root' },
    });
    expect(String((lines[0]?.err as { stack?: string } | undefined)?.stack)).toContain(
      'Error: broken',
    );
  });

  it('survives fields that cannot be serialized', () => {
    const { logger, lines } = capture();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    logger.info({ cyclic }, 'still logged');
    expect(lines[0]?.msg).toBe('still logged');
  });

  it('has a silent variant', () => {
    expect(() => silentLogger.child({}).error({}, 'nothing')).not.toThrow();
  });
});
