import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR } from './paths.js';

const ROOTS = [join(BENCH_DIR, 'node_modules'), join(BENCH_DIR, '..', 'node_modules')];

/** The installed version of a package, read from its package.json (bench's, then the root's). */
export function versionOf(name: string): string {
  for (const root of ROOTS) {
    const file = join(root, name, 'package.json');
    if (existsSync(file))
      return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return 'not installed';
}

/** Every peer and tool the benchmarks measure against or with. */
export const PEERS = [
  'hono',
  '@hono/node-server',
  'fastify',
  '@fastify/jwt',
  '@fastify/rate-limit',
  'express',
  'rate-limiter-flexible',
  'cockatiel',
  'opossum',
  'p-retry',
  'jose',
  'zod',
  'lru-cache',
  'ioredis',
  '@hono/otel',
  '@opentelemetry/api',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/sdk-metrics',
  'autocannon',
  'mitata',
  'tsx',
];

export function peerVersions(): Record<string, string> {
  return Object.fromEntries(PEERS.map((p) => [p, versionOf(p)]));
}
