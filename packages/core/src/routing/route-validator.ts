import type { Context, MiddlewareHandler } from 'hono';
import type { z } from 'zod';
import { HttpError } from '../errors/http-error.js';
import { ValidationError, type ValidationIssue } from '../errors/validation-error.js';
import { readJsonBody } from './json-body.js';
import type { RouteSpec } from './route.js';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;
const FORM_TYPE = /^(?:multipart\/form-data|application\/x-www-form-urlencoded)\s*(?:;|$)/i;

function collect(into: ValidationIssue[], where: string, error: z.ZodError): void {
  for (const issue of error.issues) {
    let path = where;
    for (const key of issue.path) path += `.${String(key)}`;
    into.push({ path, message: issue.message });
  }
}

function queryRecord(c: Context): Record<string, string | string[]> {
  const all = c.req.queries();
  const out: Record<string, string | string[]> = {};
  for (const key in all) {
    const values = all[key] as string[];
    out[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return out;
}

function hasBody(c: Context): boolean {
  const length = c.req.header('content-length');
  if (length !== undefined) return length !== '0';
  if (c.req.header('transfer-encoding') !== undefined) return true;
  // Requests built in-process (app.request) carry no content-length; on Node, the headers decide.
  return (
    (c.env as { incoming?: unknown } | undefined)?.incoming === undefined && c.req.raw.body !== null
  );
}

/**
 * Builds the single validation middleware of a typed route (done once, at route declaration).
 * Returns `undefined` when the spec declares no input.
 * @internal
 */
export function createRouteValidator(spec: RouteSpec): MiddlewareHandler | undefined {
  const { params, query, headers, body, form } = spec;
  if (body && form)
    throw new TypeError('a route declares either `body` (JSON) or `form`, not both');
  if (!params && !query && !headers && !body && !form) return undefined;

  return async function validateRoute(c, next) {
    const issues: ValidationIssue[] = [];
    if (params) {
      const r = params.safeParse(c.req.param());
      if (r.success) c.req.addValidatedData('param', r.data as object);
      else collect(issues, 'params', r.error);
    }
    if (query) {
      const r = query.safeParse(queryRecord(c));
      if (r.success) c.req.addValidatedData('query', r.data as object);
      else collect(issues, 'query', r.error);
    }
    if (headers) {
      const r = headers.safeParse(c.req.header());
      if (r.success) c.req.addValidatedData('header', r.data as object);
      else collect(issues, 'headers', r.error);
    }
    if (body || form) {
      let value: unknown;
      if (hasBody(c)) {
        const type = c.req.header('content-type') ?? '';
        if (body) {
          if (!JSON_TYPE.test(type))
            throw new HttpError(415, 'Expected an application/json request body.');
          value = await readJsonBody(c, type);
        } else {
          if (!FORM_TYPE.test(type))
            throw new HttpError(
              415,
              'Expected a multipart/form-data or application/x-www-form-urlencoded body.',
            );
          try {
            value = await c.req.parseBody({ all: true });
          } catch (e) {
            if (typeof e === 'object' && e !== null && 'status' in e) throw e;
            throw new HttpError(400, 'Malformed form data in request body.');
          }
        }
      }
      const schema = (body ?? form) as z.ZodType;
      const r = await schema.safeParseAsync(value);
      if (r.success) c.req.addValidatedData(body ? 'json' : 'form', r.data as object);
      else collect(issues, 'body', r.error);
    }
    if (issues.length > 0) throw new ValidationError(issues);
    await next();
  };
}
