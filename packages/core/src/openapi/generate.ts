import { type OpenApiMeta, readOpenApiMeta } from '@milkyway/protocol';
import { z } from 'zod';
import { statusTitle } from '../errors/problem.js';
import { MIDDLEWARE, OPERATIONS, recordsOf } from '../routing/records.js';
import type { ResponseSpec, RouteSpec } from '../routing/route.js';

/**
 * Options of the generated OpenAPI document.
 *
 * @example
 * ```ts
 * import { createService, type OpenApiOptions } from '@milkyway/core';
 *
 * const openapi: OpenApiOptions = {
 *   path: '/docs/openapi.json',
 *   servers: [{ url: 'https://api.example' }],
 * };
 * const service = createService({ name: 'api', version: '1.0.0', openapi });
 * ```
 */
export interface OpenApiOptions {
  /** Where the document is served. Default `/openapi.json`. */
  path?: string;
  /** `info.title`. Default: the service name. */
  title?: string;
  /** `info.version`. Default: the service version. */
  version?: string;
  /** `info.description`. */
  description?: string;
  /** `servers`. */
  servers?: Array<{ url: string; description?: string }>;
}

/**
 * An OpenAPI 3.1 document (plain JSON).
 *
 * @example
 * ```ts
 * import type { OpenApiDocument, Service } from '@milkyway/core';
 *
 * declare const service: Service;
 * const doc: OpenApiDocument = service.openapi();
 * console.log(doc.openapi, Object.keys(doc.paths));
 * ```
 */
export type OpenApiDocument = {
  /** Always `3.1.0`. */
  openapi: '3.1.0';
  /** Title, version, description. */
  info: { title: string; version: string; description?: string };
  /** Operations by path and method. */
  paths: Record<string, Record<string, unknown>>;
  /** Schemas (including `Problem`) and security schemes. */
  components: { schemas: Record<string, unknown>; securitySchemes?: Record<string, object> };
  /** Other top-level members (`servers`, …). */
  [member: string]: unknown;
};

type JsonSchema = Record<string, unknown>;

const PROBLEM_SCHEMA: JsonSchema = {
  type: 'object',
  description: 'RFC 9457 problem details',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    instance: { type: 'string' },
    requestId: { type: 'string' },
  },
  required: ['type', 'title', 'status'],
};

// A 400 is a failed schema check (with `errors`) or a body that could not be read at all
// (malformed JSON, invalid UTF-8: no `errors`), so `errors` is described but not required.
const VALIDATION_PROBLEM_SCHEMA: JsonSchema = {
  allOf: [
    { $ref: '#/components/schemas/Problem' },
    {
      type: 'object',
      properties: {
        errors: {
          type: 'array',
          items: {
            type: 'object',
            properties: { path: { type: 'string' }, message: { type: 'string' } },
            required: ['path', 'message'],
          },
        },
      },
    },
  ],
};

function problemResponse(description: string, schema = 'Problem'): JsonSchema {
  return {
    description,
    content: { 'application/problem+json': { schema: { $ref: `#/components/schemas/${schema}` } } },
  };
}

/** Walks a JSON schema from zod: moves `$defs` into components and rewrites their refs. */
function toComponentSchema(
  schema: z.ZodType,
  io: 'input' | 'output',
  components: Record<string, unknown>,
): JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  delete json.$schema;
  const defs = json.$defs as Record<string, JsonSchema> | undefined;
  delete json.$defs;
  const rewrite = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(rewrite);
    if (node === null || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      out[k] =
        k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')
          ? `#/components/schemas/${v.slice(8)}`
          : rewrite(v);
    }
    return out;
  };
  if (defs) for (const [name, def] of Object.entries(defs)) components[name] ??= rewrite(def);
  return rewrite(json) as JsonSchema;
}

function openApiPath(path: string): { path: string; names: string[] } {
  const names: string[] = [];
  const converted = path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?\??/g, (_m, name: string) => {
    names.push(name);
    return `{${name}}`;
  });
  return { path: converted, names };
}

function operationIdFor(method: string, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .map((part) => (part.startsWith(':') ? `by-${part.slice(1).replace(/\{.*$|\?$/g, '')}` : part));
  const camel = words
    .join('-')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');
  return `${method}${camel || 'Root'}`;
}

function matches(pattern: string, path: string): boolean {
  if (pattern === '*' || pattern === '/*') return true;
  if (pattern.endsWith('/*'))
    return path === pattern.slice(0, -2) || path.startsWith(pattern.slice(0, -1));
  if (pattern.endsWith('*')) return path.startsWith(pattern.slice(0, -1));
  return pattern === path;
}

function combineSecurity(
  current: Array<Record<string, string[]>>,
  alternatives: Array<Record<string, string[]>>,
): Array<Record<string, string[]>> {
  const out: Array<Record<string, string[]>> = [];
  for (const a of current) {
    for (const b of alternatives) {
      const merged: Record<string, string[]> = { ...a };
      for (const [scheme, scopes] of Object.entries(b)) {
        merged[scheme] = [...new Set([...(merged[scheme] ?? []), ...scopes])];
      }
      out.push(merged);
    }
  }
  return out;
}

function parameters(
  schema: z.ZodType | undefined,
  where: 'path' | 'query' | 'header',
  components: Record<string, unknown>,
): Array<Record<string, unknown>> {
  if (!schema) return [];
  const json = toComponentSchema(schema, 'input', components);
  const props = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries(props).map(([name, s]) => {
    const param: Record<string, unknown> = {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      schema: s,
    };
    if (typeof s.description === 'string') param.description = s.description;
    return param;
  });
}

function isOptional(schema: z.ZodType): boolean {
  return schema.safeParse(undefined).success;
}

/**
 * Builds the OpenAPI 3.1 document of a service or router from its route specs, with
 * problem+json error responses and the security declared by middleware (`withOpenApi`).
 * Usually you call `service.openapi()` or enable `openapi` to serve it.
 *
 * @example
 * ```ts
 * import { generateOpenApi, type Service } from '@milkyway/core';
 *
 * declare const service: Service;
 * const doc = generateOpenApi(service, { title: 'catalog', version: '1.0.0' });
 * ```
 */
export function generateOpenApi(
  app: object,
  info: OpenApiOptions & { title: string; version: string },
): OpenApiDocument {
  const { [OPERATIONS]: operations, [MIDDLEWARE]: middleware } = recordsOf(app);
  const schemas: Record<string, unknown> = {
    Problem: PROBLEM_SCHEMA,
    ValidationProblem: VALIDATION_PROBLEM_SCHEMA,
  };
  const securitySchemes: Record<string, object> = {};
  const paths: Record<string, Record<string, unknown>> = {};
  const usedIds = new Set<string>();

  for (const op of operations) {
    const spec: RouteSpec = op.spec;
    if (spec.hidden) continue;
    const { path, names } = openApiPath(op.path);
    const metas: OpenApiMeta[] = [];
    for (const mw of middleware) {
      if (!matches(mw.path, op.path)) continue;
      const meta = readOpenApiMeta(mw.middleware);
      if (meta) metas.push(meta);
    }
    for (const mw of op.middleware) {
      const meta = readOpenApiMeta(mw);
      if (meta) metas.push(meta);
    }

    let operationId = spec.operationId ?? operationIdFor(op.method, op.path);
    for (let n = 2; usedIds.has(operationId); n++)
      operationId = `${spec.operationId ?? operationIdFor(op.method, op.path)}${n}`;
    usedIds.add(operationId);

    const operation: Record<string, unknown> = { operationId };
    if (spec.summary) operation.summary = spec.summary;
    if (spec.description) operation.description = spec.description;
    if (spec.tags?.length) operation.tags = spec.tags;
    if (spec.deprecated) operation.deprecated = true;

    const params = [
      ...parameters(spec.params, 'path', schemas),
      ...parameters(spec.query, 'query', schemas),
      ...parameters(spec.headers, 'header', schemas),
    ];
    for (const name of names) {
      if (!params.some((p) => p.in === 'path' && p.name === name)) {
        params.unshift({ name, in: 'path', required: true, schema: { type: 'string' } });
      }
    }
    if (params.length) operation.parameters = params;

    if (spec.body) {
      operation.requestBody = {
        required: !isOptional(spec.body),
        content: { 'application/json': { schema: toComponentSchema(spec.body, 'input', schemas) } },
      };
    } else if (spec.form) {
      const schema = toComponentSchema(spec.form, 'input', schemas);
      operation.requestBody = {
        required: !isOptional(spec.form),
        content: {
          'multipart/form-data': { schema },
          'application/x-www-form-urlencoded': { schema },
        },
      };
    }

    const responses: Record<string, unknown> = {};
    for (const [status, declared] of Object.entries(spec.responses ?? {}) as Array<
      [string, ResponseSpec]
    >) {
      const isSchema = declared instanceof z.ZodType;
      const schema = isSchema ? declared : declared.schema;
      const given = isSchema ? undefined : declared.description;
      const description = given ?? (Number(status) < 300 ? 'Success' : statusTitle(Number(status)));
      const response: Record<string, unknown> = { description };
      if (schema)
        response.content = {
          'application/json': { schema: toComponentSchema(schema, 'output', schemas) },
        };
      // A declared error without a schema is what core renders for it: RFC 9457 problem+json.
      else if (Number(status) >= 400)
        response.content = problemResponse(description).content as Record<string, unknown>;
      responses[status] = response;
    }
    if (Object.keys(responses).length === 0) responses['200'] = { description: 'Success' };
    const hasInput = spec.params || spec.query || spec.headers || spec.body || spec.form;
    const addProblem = (status: number, description: string, schema?: string) => {
      responses[String(status)] ??= problemResponse(description, schema);
    };
    if (hasInput) addProblem(400, 'Invalid request', 'ValidationProblem');
    if (spec.body || spec.form) {
      addProblem(413, 'Request body too large');
      addProblem(415, 'Unsupported request body media type');
    }
    let security: Array<Record<string, string[]>> | undefined = spec.security;
    for (const meta of metas) {
      if (meta.securitySchemes) Object.assign(securitySchemes, meta.securitySchemes);
      if (meta.security?.length) security = combineSecurity(security ?? [{}], meta.security);
      for (const [status, r] of Object.entries(meta.responses ?? {}))
        addProblem(Number(status), r.description);
    }
    if (security) operation.security = security;
    responses.default = problemResponse('Error (RFC 9457 problem details)');
    operation.responses = responses;

    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[op.method] = operation;
  }

  const doc: OpenApiDocument = {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      ...(info.description ? { description: info.description } : {}),
    },
    paths,
    components: { schemas },
  };
  if (info.servers) doc.servers = info.servers;
  if (Object.keys(securitySchemes).length) doc.components.securitySchemes = securitySchemes;
  return doc;
}
