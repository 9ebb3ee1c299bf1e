import type { Context, Next, TypedResponse } from 'hono';
import type { Env, HandlerResponse } from 'hono/types';
import type { StatusCode } from 'hono/utils/http-status';
import type { JSONParsed } from 'hono/utils/types';
import type { InferInput } from 'hono/validator';
import type { z } from 'zod';

/**
 * A response declared by status: a zod schema (a JSON body) or a description with an optional schema.
 *
 * @example
 * ```ts
 * import type { ResponseSpec } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const Product = z.object({ id: z.string(), name: z.string() });
 * const responses: Record<number, ResponseSpec> = { 200: Product, 204: { description: 'Deleted' } };
 * ```
 */
export type ResponseSpec =
  | z.ZodType
  | {
      /** What this response means (the OpenAPI description). */
      description?: string;
      /** The JSON body schema; omit for bodiless responses (e.g. 204). */
      schema?: z.ZodType;
    };

/**
 * The declaration of a typed route: zod schemas for its inputs and its responses by status,
 * plus OpenAPI details. Invalid input never reaches the handler.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import type { RouteSpec } from '@milkyway/core';
 *
 * const getProduct = {
 *   params: z.object({ id: z.string().min(1) }),
 *   responses: { 200: z.object({ id: z.string(), name: z.string() }) },
 *   tags: ['products'],
 * } satisfies RouteSpec;
 * ```
 */
export interface RouteSpec {
  /** Path parameters (`/products/:id` → `{ id }`); read with `c.req.valid('param')`. */
  params?: z.ZodType;
  /** Query string; repeated keys arrive as arrays; read with `c.req.valid('query')`. Use `z.coerce` for numbers. */
  query?: z.ZodType;
  /** Request headers, keys in lower case; read with `c.req.valid('header')`. */
  headers?: z.ZodType;
  /** JSON body (requires `application/json`, else 415); read with `c.req.valid('json')`. */
  body?: z.ZodType;
  /** Form body (`multipart/form-data` or `application/x-www-form-urlencoded`); read with `c.req.valid('form')`. */
  form?: z.ZodType;
  /** Responses by status; a handler may only return these (`return c.json(value, 200)`). */
  responses?: { [status: number]: ResponseSpec };
  /** OpenAPI operationId. Default: derived from method and path (`getProductsById`). */
  operationId?: string;
  /** OpenAPI summary. */
  summary?: string;
  /** OpenAPI description. */
  description?: string;
  /** OpenAPI tags. */
  tags?: string[];
  /** Marks the operation deprecated in OpenAPI. */
  deprecated?: boolean;
  /** Security requirements of this operation (added to those of its middleware). */
  security?: Array<Record<string, string[]>>;
  /** Leave the route out of the OpenAPI document. */
  hidden?: boolean;
}

/**
 * `{ [K]: T }`, or `{}` when `T` is `never` (a target the spec does not declare).
 *
 * @internal
 */
export type Part<K extends string, T> = [T] extends [never] ? {} : { [P in K]: T };
/**
 * The zod schema under key `K` of a route spec, or `never`.
 *
 * @internal
 */
export type SchemaOf<R, K extends string> = R extends { [P in K]: infer S extends z.ZodType }
  ? S
  : never;
/**
 * The input type (`z.input`) of the spec's schema under `K`, or `never`.
 *
 * @internal
 */
export type InOf<R, K extends string> = [SchemaOf<R, K>] extends [never]
  ? never
  : z.input<SchemaOf<R, K>>;
/**
 * The output type (`z.output`) of the spec's schema under `K`, or `never`.
 *
 * @internal
 */
export type OutOf<R, K extends string> = [SchemaOf<R, K>] extends [never]
  ? never
  : z.output<SchemaOf<R, K>>;
/**
 * What a typed client sends for a target (strings for params, query, headers, form).
 *
 * @internal
 */
export type Inferred<T, Target extends 'query' | 'param' | 'header' | 'form'> = [T] extends [never]
  ? never
  : InferInput<T, Target>;

/**
 * The Hono `Input` type of a route spec: what `c.req.valid(target)` returns (`out`) and what a
 * typed client (`hc`) sends (`in`).
 *
 * @example
 * ```ts
 * import type { RouteInput } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const spec = { params: z.object({ id: z.string() }) };
 * type Valid = RouteInput<typeof spec>['out']; // { param: { id: string } }
 * ```
 */
export type RouteInput<R> = {
  in: Part<'param', Inferred<InOf<R, 'params'>, 'param'>> &
    Part<'query', Inferred<InOf<R, 'query'>, 'query'>> &
    Part<'header', Inferred<InOf<R, 'headers'>, 'header'>> &
    Part<'json', InOf<R, 'body'>> &
    Part<'form', Inferred<InOf<R, 'form'>, 'form'>>;
  out: Part<'param', OutOf<R, 'params'>> &
    Part<'query', OutOf<R, 'query'>> &
    Part<'header', OutOf<R, 'headers'>> &
    Part<'json', OutOf<R, 'body'>> &
    Part<'form', OutOf<R, 'form'>>;
};

/**
 * The typed response of one declared status `K`.
 *
 * @example
 * ```ts
 * import type { ResponseOf } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const Product = z.object({ id: z.string(), name: z.string() });
 * type Ok = ResponseOf<typeof Product, 200>; // TypedResponse<{ id: string; name: string }, 200, 'json'>
 * ```
 */
export type ResponseOf<Spec, K> = K extends StatusCode
  ? Spec extends z.ZodType
    ? TypedResponse<JSONParsed<z.output<Spec>>, K, 'json'>
    : Spec extends { schema: infer Z extends z.ZodType }
      ? TypedResponse<JSONParsed<z.output<Z>>, K, 'json'>
      : TypedResponse<unknown, K, 'body' | 'text' | 'redirect'>
  : never;

/**
 * The union of typed responses a route's handler may return, from its declared `responses`.
 *
 * @example
 * ```ts
 * import type { RouteResponse } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const Product = z.object({ id: z.string(), name: z.string() });
 * const spec = { responses: { 200: Product, 404: { description: 'missing' } } };
 * type Returns = RouteResponse<typeof spec>;
 * ```
 */
export type RouteResponse<R> = R extends { responses: infer Rs }
  ? { [K in keyof Rs]: ResponseOf<Rs[K], K> }[keyof Rs]
  : never;

/**
 * What a typed route's handler returns: a declared response when `responses` is given, else anything Hono accepts.
 *
 * @example
 * ```ts
 * import type { RouteResult } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const Product = z.object({ id: z.string(), name: z.string() });
 * type Result = RouteResult<{ responses: { 200: typeof Product } }, never>;
 * ```
 */
export type RouteResult<R, Ret> = R extends { responses: object }
  ? RouteResponse<R> | Promise<RouteResponse<R>>
  : Ret;

/**
 * The handler of a typed route: Hono's handler with the inputs inferred from the spec.
 *
 * @example
 * ```ts
 * import type { RouteHandler, ServiceEnv } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const spec = { params: z.object({ id: z.string() }) };
 * const handler: RouteHandler<ServiceEnv, '/items/:id', typeof spec> = (c) =>
 *   c.text(c.req.valid('param').id);
 * ```
 */
export type RouteHandler<E extends Env, P extends string, R, Ret = HandlerResponse<unknown>> = (
  c: Context<E, P, RouteInput<R>>,
  next: Next,
) => RouteResult<R, Ret>;

/**
 * The response type a typed route contributes to the app's schema (what `hc` sees).
 *
 * @example
 * ```ts
 * import type { RouteOutput } from '@milkyway/core';
 * import { z } from 'zod';
 *
 * const Product = z.object({ id: z.string(), name: z.string() });
 * type Out = RouteOutput<{ responses: { 200: typeof Product } }, never>;
 * ```
 */
export type RouteOutput<R, Ret> = R extends { responses: object } ? RouteResponse<R> : Ret;

/**
 * Options for request validation of typed routes.
 *
 * @example
 * ```ts
 * import { createService, type ValidationOptions } from '@milkyway/core';
 *
 * const validation: ValidationOptions = { status: 422 };
 * const service = createService({ name: 'api', version: '1.0.0', validation });
 * ```
 */
export interface ValidationOptions {
  /** Status of validation failures: 400 (default) or 422. */
  status?: 400 | 422;
}
