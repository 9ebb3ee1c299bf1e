import autocannon from 'autocannon';

/** One autocannon run's outcome. */
export interface LoadResult {
  /** Mean requests per second over the run (all responses). */
  rps: number;
  /** Responses that were not 2xx. */
  non2xx: number;
  /** Socket errors and timeouts. */
  errors: number;
  total: number;
  latencyP50ms: number;
  latencyP99ms: number;
  /**
   * CPU the load generator (this process) used, in cores (CPU time / wall time). Near 1 it was
   * the bottleneck: the server may be faster than measured.
   */
  clientCpu: number;
}

export interface LoadOptions {
  url: string;
  /** Path of the request (default '/'). */
  path?: string;
  durationS: number;
  connections?: number;
  /**
   * Called for every request: returns the headers to send (e.g. a token from a pool) and
   * optionally the path. Undefined: the same request every time.
   */
  perRequest?: () => { headers?: Record<string, string>; path?: string };
}

/**
 * Runs autocannon against `url` for durationS seconds with 10 connections (default). Bounded in
 * time: if autocannon has not finished 15 s after the planned end it is stopped.
 */
export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const perRequest = opts.perRequest;
  const instance = autocannon({
    url: opts.url,
    connections: opts.connections ?? 10,
    duration: opts.durationS,
    timeout: 10,
    requests: [
      {
        method: 'GET',
        path: opts.path ?? '/',
        ...(perRequest
          ? {
              setupRequest: (req: autocannon.Request) => {
                const next = perRequest();
                return {
                  ...req,
                  ...(next.path ? { path: next.path } : {}),
                  headers: { ...req.headers, ...next.headers },
                };
              },
            }
          : {}),
      },
    ],
  }) as unknown as autocannon.Instance & Promise<autocannon.Result>;
  const cpuBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const guard = setTimeout(() => instance.stop(), (opts.durationS + 15) * 1000);
  try {
    const r = await instance;
    const cpu = process.cpuUsage(cpuBefore);
    return {
      clientCpu: (cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore),
      rps: r.requests.average,
      non2xx: r.non2xx,
      errors: r.errors + r.timeouts,
      total: r.requests.total,
      latencyP50ms: r.latency.p50,
      latencyP99ms: r.latency.p99,
    };
  } finally {
    clearTimeout(guard);
  }
}
