// The command line the single-server diagnostics share (src/profile.ts, src/alloc/*.ts):
// `<entry> <scenario> [path] [seconds] [--fresh] [--anonymous]`, and what follows from it.
import { generateKey, keyEnv, signTokens } from './tokens.js';

/** What one diagnostic run of one benchmark server needs. */
export interface ServerLoadArgs {
  /** Entry file in src/servers/, without extension. */
  entry: string;
  scenario: string;
  path: string;
  seconds: number;
  /** The servers' key environment (the public keys the tokens are checked with). */
  env: Record<string, string>;
  /**
   * Headers per request: a bearer token (one of 10 reused, or a fresh one each request with
   * `--fresh`), or none with `--anonymous` (a response cache serves no authenticated request).
   */
  perRequest: (() => { headers: Record<string, string> }) | undefined;
}

/** Reads the diagnostics' arguments from `argv` (defaults: milkyway hello / for `defaultSeconds`). */
export function serverLoadArgs(argv: readonly string[], defaultSeconds: number): ServerLoadArgs {
  const [entry = 'milkyway', scenario = 'hello', path = '/', seconds = String(defaultSeconds)] =
    argv.filter((a) => !a.startsWith('--'));
  const es256 = generateKey('ES256');
  const rs256 = generateKey('RS256');
  const tokens = signTokens(es256, argv.includes('--fresh') ? 15_000 * Number(seconds) : 10);
  let i = 0;
  const perRequest = argv.includes('--anonymous')
    ? undefined
    : () => ({ headers: { authorization: `Bearer ${tokens[i++ % tokens.length]}` } });
  return { entry, scenario, path, seconds: Number(seconds), env: keyEnv(es256, rs256), perRequest };
}
