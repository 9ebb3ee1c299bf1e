/**
 * A schema the HTTP client can validate a JSON body with: anything with `parse(x): T` (zod,
 * valibot's wrappers, arktype's `assert` wrapped, hand-written guards), or a Standard Schema
 * (`'~standard'.validate`). zod is an optional peer: nothing here imports it.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import type { ResponseSchema } from '@milkyway/resilience/http';
 * const Product: ResponseSchema<{ id: string }> = z.object({ id: z.string() });
 * ```
 */
export type ResponseSchema<T> =
  | { parse(input: unknown): T }
  | {
      readonly '~standard': {
        validate(
          input: unknown,
        ):
          | { value: T; issues?: undefined }
          | { issues: ReadonlyArray<unknown> }
          | Promise<{ value: T; issues?: undefined } | { issues: ReadonlyArray<unknown> }>;
      };
    };

/** Internal: validates `input`; throws the schema's error (or the issues) on mismatch. */
export async function validate<T>(schema: ResponseSchema<T>, input: unknown): Promise<T> {
  if ('parse' in schema && typeof schema.parse === 'function') return schema.parse(input);
  const result = await (schema as Extract<ResponseSchema<T>, { '~standard': unknown }>)[
    '~standard'
  ].validate(input);
  if (result.issues !== undefined) {
    throw Object.assign(new Error('schema validation failed'), { issues: result.issues });
  }
  return (result as { value: T }).value;
}
