/**
 * The part of the Standard Schema v1 interface (https://standardschema.dev) the verifier uses
 * to parse claims. zod 4 schemas implement it, so `claims: z.object({...})` just works without
 * this package depending on zod.
 *
 * @example
 * ```ts
 * import type { ClaimsSchema } from '@milkyway/auth';
 * import { z } from 'zod';
 *
 * const schema: ClaimsSchema<{ tenant: string }> = z.object({ tenant: z.string() });
 * ```
 */
export interface ClaimsSchema<TOutput = unknown> {
  /** The Standard Schema properties. */
  readonly '~standard': {
    /** Interface version: 1. */
    readonly version: 1;
    /** Library name. */
    readonly vendor: string;
    /** Validates a value. */
    readonly validate: (
      value: unknown,
    ) => ClaimsSchemaResult<TOutput> | Promise<ClaimsSchemaResult<TOutput>>;
    /** Inferred types (type-level only). */
    readonly types?: { readonly input: unknown; readonly output: TOutput } | undefined;
  };
}

/**
 * A Standard Schema validation result: a value or issues.
 *
 * @example
 * ```ts
 * import type { ClaimsSchemaResult } from '@milkyway/auth';
 *
 * const ok: ClaimsSchemaResult<{ tenant: string }> = { value: { tenant: 't1' } };
 * ```
 */
export type ClaimsSchemaResult<TOutput> =
  | { readonly value: TOutput; readonly issues?: undefined }
  | { readonly issues: ReadonlyArray<{ readonly message: string }> };
