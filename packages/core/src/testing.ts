/**
 * Test helpers for Milkyway services: in-process requests and problem assertions
 * (`@milkyway/core/testing`).
 *
 * @module
 */
import type { ProblemDetails } from './errors/problem.js';

/**
 * What {@link testRequest} resolves with.
 *
 * @example
 * ```ts
 * import type { Service } from '@milkyway/core';
 * import { type TestResponse, testRequest } from '@milkyway/core/testing';
 * import { expect } from 'vitest';
 *
 * declare const service: Service;
 * const res: TestResponse<{ id: string }> = await testRequest(service, '/items/1');
 * expect(res.body.id).toBe('1');
 * ```
 */
export interface TestResponse<T = unknown> {
  /** The HTTP status. */
  status: number;
  /** The response headers. */
  headers: Headers;
  /** The parsed body: JSON (including problem+json) when the content type says so, else text. */
  body: T;
  /** The raw response (body already consumed). */
  response: Response;
}

/**
 * Options of {@link testRequest}.
 *
 * @example
 * ```ts
 * import type { Service } from '@milkyway/core';
 * import { type TestRequestOptions, testRequest } from '@milkyway/core/testing';
 *
 * declare const service: Service;
 * const options: TestRequestOptions = { query: { q: 'lamp' }, headers: { 'x-tenant': 't1' } };
 * await testRequest(service, '/search', options);
 * ```
 */
export interface TestRequestOptions {
  /** HTTP method. Default `GET`, or `POST` when `json`/`body` is given. */
  method?: string;
  /** Request headers. */
  headers?: Record<string, string>;
  /** A value sent as a JSON body (sets `content-type: application/json`). */
  json?: unknown;
  /** A raw body. */
  body?: BodyInit;
  /** Query parameters appended to the path. */
  query?: Record<string, string | string[]>;
}

/**
 * Anything with Hono's `request` (a service, a router, a Hono app).
 *
 * @example
 * ```ts
 * import { createRouter } from '@milkyway/core';
 * import { type RequestTarget, testRequest } from '@milkyway/core/testing';
 *
 * const target: RequestTarget = createRouter();
 * await testRequest(target, '/');
 * ```
 */
export interface RequestTarget {
  /** Hono's in-process request. */
  request(input: string, init?: RequestInit): Response | Promise<Response>;
}

/**
 * Calls an app in-process (no port) and parses the answer: a thin layer over Hono's
 * `app.request()` for tests.
 *
 * @example
 * ```ts
 * import type { Service } from '@milkyway/core';
 * import { testRequest } from '@milkyway/core/testing';
 * import { expect } from 'vitest';
 *
 * declare const service: Service;
 * const res = await testRequest(service, '/products', { json: { name: 'lamp' } });
 * expect(res.status).toBe(201);
 * expect(res.body).toMatchObject({ name: 'lamp' });
 * ```
 */
export async function testRequest<T = unknown>(
  app: RequestTarget,
  path: string,
  options: TestRequestOptions = {},
): Promise<TestResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  let url = path;
  if (options.query) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(options.query))
      for (const item of [v].flat()) params.append(k, item);
    url += (url.includes('?') ? '&' : '?') + params.toString();
  }
  const init: RequestInit = {
    method: options.method ?? (body === undefined ? 'GET' : 'POST'),
    headers,
  };
  if (body !== undefined) init.body = body;
  const response = await app.request(url, init);
  const type = response.headers.get('content-type') ?? '';
  const parsed = /json/i.test(type) ? await response.json() : await response.text();
  return { status: response.status, headers: response.headers, body: parsed as T, response };
}

/**
 * Narrows a test response body to a problem document (throws when it is not problem+json).
 *
 * @example
 * ```ts
 * import type { Service } from '@milkyway/core';
 * import { expectProblem, testRequest } from '@milkyway/core/testing';
 * import { expect } from 'vitest';
 *
 * declare const service: Service;
 * const res = await testRequest(service, '/nope');
 * expect(expectProblem(res).status).toBe(404);
 * ```
 */
export function expectProblem(res: TestResponse): ProblemDetails {
  const type = res.headers.get('content-type');
  if (type !== 'application/problem+json') {
    throw new Error(
      `expected application/problem+json, got ${type ?? 'no content type'} (status ${res.status})`,
    );
  }
  return res.body as ProblemDetails;
}
