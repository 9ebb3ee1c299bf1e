// §8's start-up path without timing anything: the upstream starts, each gateway answers one
// authenticated request with the upstream's JSON, and each transfer gateway passes 1 MiB each
// way intact (the same code path as the 100 MB transfers of the bench).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GATEWAY, startUpstream } from '../src/gateway/section.js';
import { expectedSha256, transferThrough } from '../src/gateway/transfer.js';
import { type ServerProcess, startServer } from '../src/lib/proc.js';
import { generateKey, keyEnv, signTokens } from '../src/lib/tokens.js';

const es256 = generateKey('ES256');
const rs256 = generateKey('RS256');
const token = signTokens(es256, 1)[0]!;
let upstream: ServerProcess;
let env: Record<string, string>;

beforeAll(async () => {
  const keys = keyEnv(es256, rs256);
  upstream = await startUpstream(keys);
  env = { ...keys, BENCH_UPSTREAM_URL: upstream.url };
}, 60_000);
afterAll(() => upstream?.stop());

describe('gateway benchmark servers (§8)', () => {
  for (const subject of GATEWAY) {
    it(`${subject.label} forwards an authenticated request to the upstream`, async () => {
      const server = await startServer({ entry: subject.entry, scenario: subject.scenario, env });
      try {
        const res = await fetch(server.url + subject.path, {
          headers: { authorization: `Bearer ${token}` },
        });
        expect(res.status).toBe(200);
        expect(((await res.json()) as { id: string }).id).toBe('ord_1');
        const anonymous = await fetch(server.url + subject.path);
        await anonymous.arrayBuffer();
        expect(anonymous.status).toBe(401);
      } finally {
        await server.stop();
      }
    }, 60_000);

    it(`${subject.entry}:transfer passes 1 MiB each way intact`, async () => {
      const total = 1024 * 1024;
      const r = await transferThrough(
        subject.label,
        subject.entry,
        env,
        total,
        expectedSha256(total),
      );
      expect(r.error).toBeUndefined();
      expect(r.upload?.intact).toBe(true);
      expect(r.download?.intact).toBe(true);
    }, 60_000);
  }
});
