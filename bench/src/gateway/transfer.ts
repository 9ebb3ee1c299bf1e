// §8: a 100 MB upload and a 100 MB download through one gateway process, checked byte for byte
// (SHA-256 on both ends), with the gateway's peak RSS growth over each.
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { request } from 'node:http';
import { type ServerProcess, startServer } from '../lib/proc.js';
import { patternChunk } from './pattern.js';

/** One transfer's outcome. */
export interface TransferResult {
  /** Bytes the far end received (upload: the upstream; download: this process). */
  bytes: number;
  /** Whether the SHA-256 of what arrived equals the sent bytes'. */
  intact: boolean;
  /** Highest RSS the gateway sampled during the transfer, minus its RSS before (after a GC). */
  rssGrowth: number;
  /** Megabytes per second, wall time. */
  mbPerS: number;
}

/** What one gateway did with a 100 MB upload and download. */
export interface GatewayTransfer {
  label: string;
  error?: string;
  upload?: TransferResult;
  download?: TransferResult;
}

function askValue(child: ChildProcess, type: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.off('message', on);
      reject(new Error(`no ${type} answer within 5 s`));
    }, 5_000);
    const on = (m: { type?: string; value?: number }) => {
      if (m?.type !== type) return;
      clearTimeout(timer);
      child.off('message', on);
      resolve(m.value as number);
    };
    child.on('message', on);
    child.send({ type });
  });
}

/** The SHA-256 of `total` pattern bytes, as the sender computes it. */
export function expectedSha256(total: number): string {
  const hash = createHash('sha256');
  for (let sent = 0; sent < total; ) {
    const chunk = patternChunk(sent, total);
    hash.update(chunk);
    sent += chunk.byteLength;
  }
  return hash.digest('hex');
}

/** Uploads `total` pattern bytes (Content-Length declared) and returns the upstream's answer. */
function upload(url: string, total: number): Promise<{ bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/big/upload`,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/octet-stream', 'content-length': total },
        timeout: 120_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`upload: ${res.statusCode} ${text}`));
          else resolve(JSON.parse(text));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('upload timed out')));
    let sent = 0;
    const pump = () => {
      while (sent < total) {
        const chunk = patternChunk(sent, total);
        sent += chunk.byteLength;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}

/** Downloads `total` bytes through the gateway, hashing them as they arrive. */
function download(url: string, total: number): Promise<{ bytes: number; sha256: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/big/download?bytes=${total}`,
      { agent: false, timeout: 120_000 },
      (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`download: ${res.statusCode}`));
          return;
        }
        const hash = createHash('sha256');
        let bytes = 0;
        res.on('data', (d: Buffer) => {
          bytes += d.byteLength;
          hash.update(d);
        });
        res.on('end', () => resolve({ bytes, sha256: hash.digest('hex') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('download timed out')));
    req.end();
  });
}

async function measured(
  server: ServerProcess,
  total: number,
  expected: string,
  run: (url: string, total: number) => Promise<{ bytes: number; sha256: string }>,
): Promise<TransferResult> {
  const before = await askValue(server.child, 'peak-reset');
  const started = performance.now();
  const r = await run(server.url, total);
  const seconds = (performance.now() - started) / 1000;
  const peak = await askValue(server.child, 'peak');
  return {
    bytes: r.bytes,
    intact: r.bytes === total && r.sha256 === expected,
    rssGrowth: peak - before,
    mbPerS: total / 1e6 / seconds,
  };
}

/**
 * Starts a fresh 'transfer' gateway process (`entry`, `--expose-gc` so the baseline is taken
 * after a GC), does one small request of each kind to load its code, then the 100 MB upload
 * and the 100 MB download.
 */
export async function transferThrough(
  label: string,
  entry: string,
  env: Record<string, string>,
  total: number,
  expected: string,
): Promise<GatewayTransfer> {
  let server: ServerProcess | undefined;
  try {
    server = await startServer({ entry, scenario: 'transfer', env, nodeFlags: ['--expose-gc'] });
    const small = 256 * 1024;
    await upload(server.url, small);
    await download(server.url, small);
    const up = await measured(server, total, expected, upload);
    const down = await measured(server, total, expected, download);
    return { label, upload: up, download: down };
  } catch (e) {
    return { label, error: (e as Error).message.split('\n')[0] };
  } finally {
    await server?.stop();
  }
}
