import { spawn } from 'node:child_process';
import type { MicroOptions, MicroResult } from '../micro/types.js';
import { microEntry, TSX_IMPORT, tsxEnv } from './paths.js';

/**
 * Runs a micro-benchmark module in a fresh child process (`--expose-gc`, its own heap) and
 * returns its result. Bounded by timeoutMs.
 */
export function runMicro(
  name: string,
  opts: MicroOptions,
  timeoutMs = 300_000,
): Promise<MicroResult> {
  const child = spawn(
    process.execPath,
    ['--expose-gc', ...TSX_IMPORT, microEntry('child'), name, JSON.stringify(opts)],
    { env: tsxEnv(), stdio: ['ignore', 'inherit', 'pipe', 'ipc'] },
  );
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  return new Promise((resolve, reject) => {
    let result: MicroResult | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`micro ${name} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('message', (m: { type?: string; value?: MicroResult }) => {
      if (m?.type === 'result') result = m.value;
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (result) resolve(result);
      else reject(new Error(`micro ${name} exited with ${code} without a result\n${stderr}`));
    });
  });
}
