/**
 * Process orchestration for the storefront: each service runs as its own Node process (through
 * tsx, so no build step is needed), its output is prefixed with the service's name, and the
 * supervisor knows when it is ready (GET /readyz answers 200) and how to stop it gracefully.
 *
 * Used by the `npm start` runner and by the end-to-end tests; nothing here is part of a service.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { formatLogLine } from './log-format.js';

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
/** tsx's loader, registered in each child with `node --import`. */
const tsxLoader = require.resolve('tsx');
/** Makes a child stop when its supervisor dies, so no test run leaves processes behind. */
const orphanGuard = path.join(here, 'orphan-guard.ts');

/** What to start. */
export interface ServiceSpec {
  /** Shown as the log prefix, e.g. `catalog` or `gateway-2`. */
  name: string;
  /** The service's folder (its `src/main.ts` is started, with this folder as the cwd). */
  dir: string;
  /** The port the service listens on (passed as `PORT`). */
  port: number;
  /** The loopback admin port serving its `/metrics` (passed as `METRICS_PORT`). */
  metricsPort: number;
  /** Extra environment for this service. */
  env?: Record<string, string | undefined>;
}

/** How the supervisor prints and keeps output. */
export interface SupervisorOptions {
  /** Where prefixed log lines go; `false` to keep them only in memory (tests). */
  print?: ((line: string) => void) | false;
  /** Colour the prefixes (default: when stdout is a TTY and NO_COLOR is unset). */
  color?: boolean;
  /** Turn JSON log lines into a compact readable line (default true when printing). */
  pretty?: boolean;
}

const COLORS = [36, 33, 35, 32, 34, 91, 96, 93];

/** One supervised service process. */
export class ManagedService {
  readonly spec: ServiceSpec;
  /** Every line the process wrote (stdout and stderr), in order, raw. */
  readonly lines: string[] = [];
  private child: ChildProcess | undefined;
  private exited: Promise<number | null> = Promise.resolve(null);
  private readonly color: number;
  private readonly options: SupervisorOptions;

  constructor(spec: ServiceSpec, options: SupervisorOptions, index: number) {
    this.spec = spec;
    this.options = options;
    this.color = COLORS[index % COLORS.length]!;
  }

  /** The base URL the service answers on. */
  get url() {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  /** The Prometheus scrape URL, on the service's loopback admin listener (not its public port). */
  get metricsUrl() {
    return `http://127.0.0.1:${this.spec.metricsPort}/metrics`;
  }

  /** True while the process runs. */
  get running() {
    return (
      this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null
    );
  }

  /** The process id, while it runs. */
  get pid() {
    return this.child?.pid;
  }

  /** Spawns the process (does not wait for readiness). */
  start() {
    if (this.running) throw new Error(`${this.spec.name} is already running`);
    const entry = path.join(this.spec.dir, 'src', 'main.ts');
    const child = spawn(process.execPath, ['--import', tsxLoader, '--import', orphanGuard, entry], {
      cwd: this.spec.dir,
      env: {
        ...process.env,
        ...this.spec.env,
        PORT: String(this.spec.port),
        METRICS_PORT: String(this.spec.metricsPort),
        SERVICE_INSTANCE: this.spec.name,
      },
      // Own process group: Ctrl-C reaches only the supervisor, which stops services in order.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.child = child;
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.emit(`process exited (${signal ?? `code ${code}`})`, true);
        resolve(code);
      });
      child.once('error', (error) => {
        this.emit(`failed to start: ${error.message}`, true);
        resolve(null);
      });
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) =>
        this.emit(line),
      );
    }
    return this;
  }

  private emit(line: string, fromSupervisor = false) {
    this.lines.push(fromSupervisor ? `[supervisor] ${line}` : line);
    if (this.lines.length > 20_000) this.lines.splice(0, 5_000);
    const print = this.options.print;
    if (!print) return;
    const color = this.options.color ?? (process.stdout.isTTY && !process.env.NO_COLOR);
    const name = this.spec.name.padEnd(10);
    const prefix = color ? `\x1b[${this.color}m${name}\x1b[0m│ ` : `${name}| `;
    const text = this.options.pretty === false ? line : formatLogLine(line, Boolean(color));
    print(`${prefix}${fromSupervisor ? `(${line})` : text}`);
  }

  /**
   * Polls `GET /readyz` until it answers 200, the process exits, or the deadline passes.
   * Throws with the service's last log lines when it does not become ready.
   */
  async waitUntilReady(timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    while (Date.now() < deadline) {
      if (exited || !this.running) break;
      try {
        const res = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(1_000) });
        await res.body?.cancel();
        if (res.status === 200) return;
      } catch {
        // not listening yet
      }
      await delay(50);
    }
    const tail = this.lines.slice(-30).join('\n');
    throw new Error(
      `${this.spec.name} did not become ready on ${this.url}/readyz within ${timeoutMs} ms` +
        `${this.running ? '' : ' (the process exited)'}; last output:\n${tail}`,
    );
  }

  /** Sends a signal and waits for the process to exit; SIGKILLs it after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<number | null> {
    const child = this.child;
    if (!child || !this.running) return this.exited;
    child.kill(signal);
    const timer = setTimeout(() => {
      if (this.running) {
        this.emit(`did not exit within ${timeoutMs} ms of ${signal}; killing it`, true);
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }

  /** Kills the process at once (SIGKILL), as a crash would. */
  async kill() {
    return this.stop('SIGKILL', 0);
  }

  /** Resolves with the exit code when the process exits. */
  whenExited() {
    return this.exited;
  }

  /** Log lines that parse as JSON (structured logs), for assertions. */
  jsonLines(): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const line of this.lines) {
      if (!line.startsWith('{')) continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        // not JSON
      }
    }
    return out;
  }
}

/** Starts and stops a group of services. */
export class Supervisor {
  readonly services: ManagedService[] = [];
  private readonly options: SupervisorOptions;

  constructor(options: SupervisorOptions = {}) {
    this.options = options;
  }

  /** Starts the given services (in parallel) and waits until each is ready. */
  async start(specs: ServiceSpec[], readyTimeoutMs = 30_000) {
    const started = specs.map((spec) => {
      const service = new ManagedService(spec, this.options, this.services.length);
      this.services.push(service);
      return service.start();
    });
    await Promise.all(started.map((s) => s.waitUntilReady(readyTimeoutMs)));
    return started;
  }

  /** The service with this name. */
  get(name: string) {
    const service = this.services.find((s) => s.spec.name === name);
    if (!service) throw new Error(`no service named ${name}`);
    return service;
  }

  /**
   * Stops every running service gracefully, in the given order of names (others after them,
   * in reverse start order), each with SIGTERM and a bounded wait.
   */
  async stopAll(order: string[] = [], timeoutMs = 10_000) {
    const ordered = [
      ...order.flatMap((name) => this.services.filter((s) => s.spec.name.startsWith(name))),
      ...[...this.services].reverse(),
    ].filter((s, i, all) => all.indexOf(s) === i);
    for (const service of ordered) await service.stop('SIGTERM', timeoutMs);
  }

  /** Kills every process at once; for test clean-up after a failure. */
  killAll() {
    for (const service of this.services) if (service.running) void service.kill();
  }
}

/** Resolves after `ms` milliseconds. */
export function delay(ms: number) {
  return new Promise<void>((resolve) => setTimeout(resolve, ms));
}

/**
 * Waits for the first of the given process signals and resolves with its name.
 * A second Ctrl-C (SIGINT) while shutting down exits at once. A repeated SIGTERM does not: it
 * is usually the same stop arriving twice (`timeout`, a container runtime or systemd signal the
 * whole process group, and npm and tsx forward it too), and exiting at once would orphan the
 * services mid-shutdown.
 */
export function untilSignal(signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM']) {
  return new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      for (const s of signals) process.off(s, onSignal);
      for (const s of signals) {
        if (s === 'SIGTERM') {
          process.on(s, () => process.stderr.write('\nSIGTERM again: still stopping gracefully\n'));
          continue;
        }
        process.once(s, () => {
          process.stderr.write(`\n${s} again: exiting without waiting\n`);
          process.exit(130);
        });
      }
      resolve(signal);
    };
    for (const s of signals) process.on(s, onSignal);
  });
}
