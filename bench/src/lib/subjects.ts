// Every HTTP server the benchmarks start, by section. The smoke test starts each of these.

/** One server configuration: entry file in src/servers/ and the scenario it serves. */
export interface Subject {
  label: string;
  entry:
    | 'milkyway'
    | 'hono'
    | 'fastify'
    | 'express'
    | 'node-http'
    | 'gateway-milkyway'
    | 'gateway-fastify'
    | 'gateway-hono';
  scenario: string;
  /** Request path. */
  path: string;
  /** Extra environment for the server (e.g. BENCH_ALG). */
  env?: Record<string, string>;
  /** Needs a bearer token. */
  auth?: boolean;
}

export const KERNEL: Subject[] = [
  { label: 'Milkyway createService (defaults)', entry: 'milkyway', scenario: 'hello', path: '/' },
  { label: 'Hono on @hono/node-server (bare)', entry: 'hono', scenario: 'hello', path: '/' },
  {
    label: 'Milkyway createService({ secureHeaders: false }) (diagnostic)',
    entry: 'milkyway',
    scenario: 'hello-no-secure-headers',
    path: '/',
  },
  {
    label: 'Hono + hono/secure-headers (diagnostic)',
    entry: 'hono',
    scenario: 'hello-secure-headers',
    path: '/',
  },
  { label: 'Fastify', entry: 'fastify', scenario: 'hello', path: '/' },
  { label: 'raw node:http', entry: 'node-http', scenario: 'hello', path: '/' },
  { label: 'Express', entry: 'express', scenario: 'hello', path: '/' },
];

export const REALISTIC: Subject[] = [
  { label: 'Milkyway', entry: 'milkyway', scenario: 'orders', path: '/orders/ord_1', auth: true },
  {
    label: 'Milkyway without tracing (diagnostic)',
    entry: 'milkyway',
    scenario: 'orders-untraced',
    path: '/orders/ord_1',
    auth: true,
  },
  {
    label: 'Hono by hand (hono/jwk)',
    entry: 'hono',
    scenario: 'orders',
    path: '/orders/ord_1',
    auth: true,
  },
  {
    label: 'Fastify + @fastify/jwt + @fastify/rate-limit',
    entry: 'fastify',
    scenario: 'orders',
    path: '/orders/ord_1',
    auth: true,
  },
  {
    label: 'Express by hand (jose)',
    entry: 'express',
    scenario: 'orders',
    path: '/orders/ord_1',
    auth: true,
  },
];

export const TRACING: Subject[] = [
  { label: 'Milkyway, no telemetry', entry: 'milkyway', scenario: 'hello', path: '/' },
  {
    label: 'Milkyway + tracing() + metrics(), SDK registered',
    entry: 'milkyway',
    scenario: 'traced',
    path: '/',
  },
  { label: 'Hono bare', entry: 'hono', scenario: 'hello', path: '/' },
  { label: 'Hono + @hono/otel, SDK registered', entry: 'hono', scenario: 'otel', path: '/' },
  {
    label: 'Milkyway realistic route, no telemetry',
    entry: 'milkyway',
    scenario: 'orders-untraced',
    path: '/orders/ord_1',
    auth: true,
  },
  {
    label: 'Milkyway realistic route + tracing() + metrics(), SDK registered',
    entry: 'milkyway',
    scenario: 'orders-observed',
    path: '/orders/ord_1',
    auth: true,
  },
];

export const CACHE: Subject[] = [
  {
    label: 'Milkyway list route, uncached',
    entry: 'milkyway',
    scenario: 'uncached',
    path: '/orders',
  },
  {
    label: 'Milkyway list route, response cache hit',
    entry: 'milkyway',
    scenario: 'cached',
    path: '/orders',
  },
];

export const jwtSubjects = (alg: 'ES256' | 'RS256'): Subject[] => [
  {
    label: `Milkyway jwtAuth ${alg}, token cache on`,
    entry: 'milkyway',
    scenario: 'jwt',
    path: '/me',
    auth: true,
    env: { BENCH_ALG: alg, BENCH_TOKEN_CACHE: 'on' },
  },
  {
    label: `Milkyway jwtAuth ${alg}, token cache off`,
    entry: 'milkyway',
    scenario: 'jwt',
    path: '/me',
    auth: true,
    env: { BENCH_ALG: alg, BENCH_TOKEN_CACHE: 'off' },
  },
  {
    label: `Hono + hono/jwk ${alg}`,
    entry: 'hono',
    scenario: 'jwt',
    path: '/me',
    auth: true,
    env: { BENCH_ALG: alg },
  },
  {
    label: `Fastify + @fastify/jwt ${alg}`,
    entry: 'fastify',
    scenario: 'jwt',
    path: '/me',
    auth: true,
    env: { BENCH_ALG: alg },
  },
];

/** Every distinct server configuration (for the smoke test). */
export function allSubjects(): Subject[] {
  const all = [
    ...KERNEL,
    ...REALISTIC,
    ...TRACING,
    ...CACHE,
    ...jwtSubjects('ES256'),
    ...jwtSubjects('RS256'),
  ];
  const seen = new Set<string>();
  return all.filter((s) => {
    const key = `${s.entry}:${s.scenario}:${JSON.stringify(s.env ?? {})}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
