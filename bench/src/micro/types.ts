/** Options every micro-benchmark module takes. */
export interface MicroOptions {
  /** Smoke mode: a handful of iterations, no meaningful timing. */
  smoke?: boolean;
  /** Quick mode: shorter sampling. */
  quick?: boolean;
  /** Anything else the module reads. */
  [key: string]: unknown;
}

/** One measured case: time per call in nanoseconds. */
export interface MicroCase {
  name: string;
  /** Mean ns per call (GC included, amortised). */
  avgNs: number;
  /** Median ns per call across mitata's samples. */
  p50Ns: number;
  /** Number of samples mitata took. */
  samples: number;
  /** Set when the case could not run (e.g. a package not ready yet). */
  skipped?: string;
}

/** A micro-benchmark module's result: cases plus free-form extra figures. */
export interface MicroResult {
  cases: MicroCase[];
  extra?: Record<string, unknown>;
  notes?: string[];
}

export interface MicroModule {
  run(opts: MicroOptions): Promise<MicroResult>;
}
