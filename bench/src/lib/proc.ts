import { type ChildProcess, spawn } from 'node:child_process';
import { serverEntry, TSX_IMPORT, tsxEnv } from './paths.js';
import { pinnedServer } from './pin.js';

/** A benchmark server running in its own child process. */
export interface ServerProcess {
  name: string;
  port: number;
  url: string;
  child: ChildProcess;
  /** Resident set size of the server process, in bytes (asked over IPC). */
  rss(): Promise<number>;
  /** The server's monotonic clock in µs (to cut a --cpu-prof profile from this instant on). */
  mark(): Promise<number>;
  /** Asks the server to exit (it calls process.exit(0), which also writes a --cpu-prof profile). */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Entry file in src/servers/, without extension. */
  entry: string;
  /** What the entry serves (read by the entry from BENCH_SCENARIO). */
  scenario: string;
  /** Extra environment (keys, options). */
  env?: Record<string, string>;
  /** Extra node flags (e.g. --cpu-prof). */
  nodeFlags?: string[];
  /** How long the server may take to print its port. */
  startTimeoutMs?: number;
}

/**
 * Starts a fresh server process (`node --import tsx <entry>`) listening on 127.0.0.1 port 0 and
 * resolves once it has announced its port over IPC. Bounded by startTimeoutMs.
 */
export function startServer(opts: StartOptions): Promise<ServerProcess> {
  const name = `${opts.entry}:${opts.scenario}`;
  const [command, args] = pinnedServer(process.execPath, [
    ...(opts.nodeFlags ?? []),
    ...TSX_IMPORT,
    serverEntry(opts.entry),
  ]);
  const child = spawn(command, args, {
    env: { ...tsxEnv(), ...opts.env, BENCH_SCENARIO: opts.scenario, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  child.stdout?.resume();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(
          `${name} did not announce a port within ${opts.startTimeoutMs ?? 30000} ms\n${stderr}`,
        ),
      );
    }, opts.startTimeoutMs ?? 30_000);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before listening\n${stderr}`));
    };
    child.once('exit', onExit);
    child.on('message', function onReady(m: { type?: string; port?: number }) {
      if (m?.type !== 'ready' || !m.port) return;
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('message', onReady);
      const port = m.port;
      resolve({
        name,
        port,
        url: `http://127.0.0.1:${port}`,
        child,
        rss: () => ask<number>(child, 'rss', 5000),
        mark: () => ask<number>(child, 'mark', 5000),
        stop: () => stopChild(child),
      });
    });
  });
}

function ask<T>(child: ChildProcess, type: string, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', onMessage);
      reject(new Error(`no ${type} answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const onMessage = (m: { type?: string; value?: T }) => {
      if (m?.type !== type) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(m.value as T);
    };
    child.on('message', onMessage);
    child.send({ type });
  });
}

/** Asks the child to exit; SIGKILL after 10 s. Resolves when it has exited. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    if (child.connected) child.send({ type: 'stop' });
    else child.kill('SIGTERM');
  });
}
