// Proves the benchmark's start-up path (what `npm run bench:quick` relies on) without timing
// anything: every server entry starts, answers one request with 200 and stops; every
// micro-benchmark module loads and runs a handful of iterations in its own process.
import { describe, expect, it } from 'vitest';
import { runMicro } from '../src/lib/micro.js';
import { startServer } from '../src/lib/proc.js';
import { allSubjects } from '../src/lib/subjects.js';
import { generateKey, keyEnv, signTokens } from '../src/lib/tokens.js';

const es256 = generateKey('ES256');
const rs256 = generateKey('RS256');
const env = keyEnv(es256, rs256);
const tokens = { ES256: signTokens(es256, 1)[0]!, RS256: signTokens(rs256, 1)[0]! };

describe('benchmark servers', () => {
  for (const subject of allSubjects()) {
    it(`${subject.label} (${subject.entry}:${subject.scenario}) starts, answers 200 and stops`, async () => {
      const server = await startServer({
        entry: subject.entry,
        scenario: subject.scenario,
        env: { ...env, ...subject.env },
      });
      try {
        const alg = subject.env?.BENCH_ALG === 'RS256' ? 'RS256' : 'ES256';
        const res = await fetch(server.url + subject.path, {
          headers: subject.auth ? { authorization: `Bearer ${tokens[alg]}` } : {},
        });
        await res.arrayBuffer();
        expect(res.status).toBe(200);
        expect(await server.rss()).toBeGreaterThan(0);
      } finally {
        await server.stop();
      }
      expect(server.child.exitCode ?? server.child.signalCode).not.toBeNull();
    });
  }
});

describe('micro-benchmark modules', () => {
  for (const name of ['resilience', 'ratelimit', 'ratelimit-redis', 'jwt']) {
    it(`${name} loads and runs a handful of iterations`, async () => {
      const result = await runMicro(name, { smoke: true }, 30_000);
      expect(Array.isArray(result.cases)).toBe(true);
    });
  }
});
