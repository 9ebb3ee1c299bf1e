import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
let child: ChildProcess | undefined;

afterEach(() => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

let output = '';

/** Rejects after `ms` naming what did not happen, so that no wait can hang the run. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: not within ${ms} ms; output:\n${output}`)),
      ms,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Resolves with the service URL once its "listening" log line appears on stdout. */
function waitForUrl(proc: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    proc.stdout?.setEncoding('utf8');
    proc.stdout?.on('data', (chunk: string) => {
      output += chunk;
      buffer += chunk;
      for (const line of buffer.split('\n')) {
        if (!line.startsWith('{')) continue;
        try {
          const entry = JSON.parse(line) as { url?: string };
          if (entry.url) resolve(entry.url);
        } catch {
          // a partial line: wait for the rest
        }
      }
    });
    proc.once('exit', (code) => reject(new Error(`npm start exited early with ${code}`)));
  });
}

describe('hello (npm start)', () => {
  it('serves on the given port and shuts down cleanly on SIGTERM', async () => {
    // PORT=0: the OS picks a free port; the service logs the URL it bound.
    child = spawn('npm', ['start'], {
      cwd: root,
      env: { ...process.env, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true,
    });
    // `npm start` compiles first (prestart: tsc), which takes a while on a busy machine.
    const url = await within(150_000, 'the listening log line', waitForUrl(child));
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const res = await fetch(`${url}/hello/world`);
    expect(res.status).toBe(200);
    expect((await res.json()).message).toBe('Hello, world!');
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    expect((await fetch(`${url}/openapi.json`)).status).toBe(200);

    // SIGTERM to the process group (npm, tsx and the service), as a container runtime does.
    // 'close' fires once every process holding stdout (npm, tsx, the service) has exited.
    const exited = new Promise<void>((resolve) => child?.once('close', () => resolve()));
    process.kill(-(child.pid as number), 'SIGTERM');
    await within(15_000, 'the process group to exit after SIGTERM', exited);
    const messages = output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => (JSON.parse(line) as { msg?: string }).msg);
    expect(messages).toEqual(expect.arrayContaining(['shutting down', 'hello closed']));
  });
});
