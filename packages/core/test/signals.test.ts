import { EventEmitter } from 'node:events';
import { silentLogger } from '@milkyway/protocol';
import { describe, expect, it } from 'vitest';
import { ProcessSignals, type SignalHost } from '../src/server/signals.js';
import { bounded } from './raw-socket.js';

/** A stand-in for `process`: signals are emitted by the test, `exit` is recorded. */
function fakeProcess() {
  const emitter = new EventEmitter();
  const exits: number[] = [];
  const host: SignalHost = {
    on: (signal, listener) => emitter.on(signal, listener),
    off: (signal, listener) => emitter.off(signal, listener),
    exit: (code) => {
      exits.push(code);
    },
  };
  return {
    host,
    exits,
    send: (signal: NodeJS.Signals) => emitter.emit(signal, signal),
    listeners: () => emitter.listenerCount('SIGTERM') + emitter.listenerCount('SIGINT'),
  };
}

/** A service stand-in whose close resolves when the test says so. */
function closable() {
  let finish: (() => void) | undefined;
  let fail: ((error: Error) => void) | undefined;
  const subscriber = {
    logger: silentLogger,
    closes: 0,
    close: () => {
      subscriber.closes++;
      return new Promise<void>((resolve, reject) => {
        finish = resolve;
        fail = reject;
      });
    },
  };
  return {
    subscriber,
    finish: () => finish?.(),
    fail: (error: Error) => fail?.(error),
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('the process signal owner', () => {
  it('closes every subscribed service on SIGTERM and exits only after the last one drained', async () => {
    const proc = fakeProcess();
    const owner = new ProcessSignals(proc.host);
    const a = closable();
    const b = closable();
    owner.subscribe(a.subscriber);
    owner.subscribe(b.subscriber);
    proc.send('SIGTERM');
    expect([a.subscriber.closes, b.subscriber.closes]).toEqual([1, 1]);
    a.finish();
    await settle();
    expect(proc.exits).toEqual([]);
    b.finish();
    await settle();
    expect(proc.exits).toEqual([0]);
  });

  it('installs one listener per signal, however many services subscribe', () => {
    const proc = fakeProcess();
    const owner = new ProcessSignals(proc.host);
    owner.subscribe(closable().subscriber);
    owner.subscribe(closable().subscriber);
    owner.subscribe(closable().subscriber);
    expect(proc.listeners()).toBe(2);
  });

  it('ignores a repeated signal while the services drain', async () => {
    const proc = fakeProcess();
    const owner = new ProcessSignals(proc.host);
    const a = closable();
    owner.subscribe(a.subscriber);
    proc.send('SIGTERM');
    proc.send('SIGINT');
    expect(a.subscriber.closes).toBe(1);
    a.finish();
    await settle();
    expect(proc.exits).toEqual([0]);
  });

  it('exits with 1 when a service fails to close, after the others drained', async () => {
    const proc = fakeProcess();
    const owner = new ProcessSignals(proc.host);
    const a = closable();
    const b = closable();
    owner.subscribe(a.subscriber);
    owner.subscribe(b.subscriber);
    proc.send('SIGINT');
    a.fail(new Error('pool would not end'));
    await settle();
    expect(proc.exits).toEqual([]);
    b.finish();
    await settle();
    expect(proc.exits).toEqual([1]);
  });

  it('leaves a service that closed on its own out of the shutdown', async () => {
    const proc = fakeProcess();
    const owner = new ProcessSignals(proc.host);
    const a = closable();
    const b = closable();
    const unsubscribeA = owner.subscribe(a.subscriber);
    owner.subscribe(b.subscriber);
    unsubscribeA();
    proc.send('SIGTERM');
    expect([a.subscriber.closes, b.subscriber.closes]).toEqual([0, 1]);
    b.finish();
    await settle();
    expect(proc.exits).toEqual([0]);
  });

  it('removes its process listeners once no service is subscribed (Node defaults again)', () => {
    const proc = fakeProcess();
    const owner = new ProcessSignals(proc.host);
    const unsubscribe = owner.subscribe(closable().subscriber);
    expect(proc.listeners()).toBe(2);
    unsubscribe();
    expect(proc.listeners()).toBe(0);
  });
});

describe('two services in one process', () => {
  it('both drain on SIGTERM, and the process exits once the last one closed', async () => {
    const { spawn } = await import('node:child_process');
    const { fileURLToPath } = await import('node:url');
    const root = fileURLToPath(new URL('../../..', import.meta.url));
    const fixture = fileURLToPath(new URL('./fixtures/two-services.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const events: Array<Record<string, string>> = [];
    const waiters = new Set<() => void>();
    let buffer = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('{')) events.push(JSON.parse(line));
      for (const waiter of waiters) waiter();
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    /** Bounded: fails with what was seen instead of hanging. */
    const waitFor = (what: string, done: () => boolean) =>
      bounded(
        new Promise<void>((resolve) => {
          const check = () => {
            if (done()) {
              waiters.delete(check);
              resolve();
            }
          };
          waiters.add(check);
          check();
        }),
        30_000,
        `${what}; events: ${JSON.stringify(events)}`,
      );
    try {
      await waitFor('both services listening', () => events.some((e) => e.a && e.b));
      const urls = events.find((e) => e.a && e.b) as { a: string; b: string };
      const answers = Promise.all([
        fetch(`${urls.b}/work`).then((res) => res.text()),
        fetch(`${urls.a}/work`).then((res) => res.text()),
      ]);
      await waitFor('both requests in flight', () => events.filter((e) => e.inFlight).length === 2);
      child.kill('SIGTERM');
      expect(await bounded(answers, 30_000, 'both answers')).toEqual(['b done', 'a done']);
      expect(await bounded(exited, 30_000, 'the process to exit')).toBe(0);
      expect(events.filter((e) => e.closed).map((e) => e.closed)).toEqual(['a', 'b']);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
