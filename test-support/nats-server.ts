import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A `nats-server -js` owned by one test: its own port and store dir, killable and restartable. */
export interface TestNatsServer {
  /** The port it listens on (kept across restarts, so clients reconnect to the same URL). */
  readonly port: number;
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  /** The JetStream store directory (kept across restarts, so streams survive a kill). */
  readonly storeDir: string;
  /** The pid of the running server, or undefined while it is down. */
  pid(): number | undefined;
  /** `kill -9` the server and wait until the process is gone (no clean shutdown, no flush). */
  kill(): Promise<void>;
  /** Start the server again on the same port with the same store dir; resolves once it is ready. */
  restart(): Promise<void>;
  /** Stop the server (SIGKILL) and delete its store dir. Safe to call twice. */
  stop(): Promise<void>;
}

/** Options of {@link startNatsServer}. */
export interface TestNatsServerOptions {
  /** Largest message payload the server accepts, in bytes (nats-server default: 1 MiB). */
  maxPayloadBytes?: number;
  /** How long to wait for "Server is ready" before failing, in ms. Default 10 s. */
  readyTimeoutMs?: number;
  /** More command-line flags, e.g. `['--auth', 'TOKEN']` or `['--user', 'u', '--pass', 'p']`. */
  args?: readonly string[];
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** A TCP port that was free a moment ago (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function waitForReady(child: ChildProcess, port: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => {
      finish(
        new Error(
          `nats-server on port ${port} was not ready within ${timeoutMs} ms; its output:\n${output}`,
        ),
      );
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Server is ready')) finish();
    };
    const onExit = (code: number | null) =>
      finish(new Error(`nats-server on port ${port} exited with ${code} before ready:\n${output}`));
    const finish = (error?: Error) => {
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining the pipes so the server never blocks on a full stderr buffer.
      child.stderr?.resume();
      child.stdout?.resume();
      if (error) reject(error);
      else resolve();
    };
    child.stderr?.on('data', onData);
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}

function waitForExit(child: ChildProcess, timeoutMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`nats-server pid ${child.pid} did not exit within ${timeoutMs} ms`)),
      timeoutMs,
    );
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/**
 * Starts `nats-server -js` on a free port of 127.0.0.1 with its own store dir, for tests that
 * kill the broker. Always `await server.stop()` in `afterAll`/`finally`.
 *
 * ```ts
 * const server = await startNatsServer();
 * await server.kill();     // SIGKILL: the broker is gone
 * await server.restart();  // same port, same store: streams and consumers are back
 * await server.stop();
 * ```
 */
export async function startNatsServer(
  options: TestNatsServerOptions = {},
): Promise<TestNatsServer> {
  const port = await freePort();
  const storeDir = mkdtempSync(join(tmpdir(), 'milkyway-nats-'));
  const readyTimeoutMs = options.readyTimeoutMs ?? 10_000;
  const args = ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir];
  if (options.maxPayloadBytes !== undefined) {
    const config = join(storeDir, 'server.conf');
    writeFileSync(config, `max_payload: ${options.maxPayloadBytes}\n`);
    args.push('-c', config);
  }
  args.push(...(options.args ?? []));
  let child: ChildProcess | undefined;

  const launch = async () => {
    const started = spawn('nats-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(started);
    started.once('exit', () => running.delete(started));
    child = started;
    await waitForReady(started, port, readyTimeoutMs);
  };
  const kill = async () => {
    const current = child;
    child = undefined;
    if (!current) return;
    current.kill('SIGKILL');
    await waitForExit(current);
  };

  await launch();
  return {
    port,
    url: `nats://127.0.0.1:${port}`,
    storeDir,
    pid: () => child?.pid,
    kill,
    restart: async () => {
      if (child) throw new Error('nats-server is still running; kill() it before restart()');
      await launch();
    },
    stop: async () => {
      await kill();
      rmSync(storeDir, { recursive: true, force: true });
    },
  };
}
