/** The runner's own pieces, without the services. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatLogLine } from '../src/log-format.js';
import { freePort } from '../src/ports.js';
import { Supervisor } from '../src/supervisor.js';

describe('formatLogLine', () => {
  it('turns a pino JSON line into time, level, message and fields', () => {
    const line = JSON.stringify({
      level: 'info',
      time: Date.UTC(2026, 0, 1, 12, 30, 5, 120),
      name: 'catalog',
      msg: 'request completed',
      status: 200,
      route: '/products/:id',
    });
    expect(formatLogLine(line, false)).toBe(
      '12:30:05.120 INFO  request completed status=200 route=/products/:id',
    );
  });

  it('passes lines that are not JSON through unchanged', () => {
    expect(formatLogLine('plain text {', false)).toBe('plain text {');
    expect(formatLogLine('{not json', false)).toBe('{not json');
  });
});

describe('the supervisor', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'supervisor-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reports a service that exits before it is ready, with its last output', async () => {
    fs.mkdirSync(path.join(dir, 'broken', 'src'), { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'broken', 'src', 'main.ts'),
      "console.log('cannot start: no config'); process.exit(3);\n",
    );
    const supervisor = new Supervisor({ print: false });
    await expect(
      supervisor.start(
        [
          {
            name: 'broken',
            dir: path.join(dir, 'broken'),
            port: await freePort(),
            metricsPort: await freePort(),
          },
        ],
        20_000,
      ),
    ).rejects.toThrow(/broken did not become ready[\s\S]*exited[\s\S]*cannot start: no config/);
  }, 30_000);
});
