import { LOG_FIELDS, type Logger, REQUEST_ID_HEADER } from '@milkyway/protocol';
import type { Span } from '@opentelemetry/api';
import type { Context } from 'hono';
import { errorType } from '../semconv.js';
import type { RequestFacts } from './request-facts.js';

/**
 * The request id of a request: `c.var.requestId` (set by `@milkyway/core`), else the
 * `x-request-id` request header.
 * @internal
 */
export function requestIdOf(c: Context, facts: RequestFacts): string | undefined {
  const fromCore = c.get('requestId' as never) as string | undefined;
  if (fromCore !== undefined) return fromCore;
  const node = facts.node;
  if (node === undefined) return c.req.header(REQUEST_ID_HEADER);
  const value = node[REQUEST_ID_HEADER];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Writes the access-log line of a request: `{ method, route, status, durationMs, requestId }`
 * with the message `request completed`, at info (2xx/3xx), warn (4xx) or error (5xx, with
 * `errorType`). With a span, the line carries its `trace_id`/`span_id`/`trace_flags` itself:
 * it is written after the span's context is left.
 * @internal
 */
export function writeAccessLog(
  logger: Logger,
  c: Context,
  requestId: string | undefined,
  elapsedMs: number,
  outcome: { status: number; route: string | undefined; error: unknown; escaped: boolean },
  span: Span | undefined,
): void {
  const { status, error } = outcome;
  const line: Record<string, unknown> = {
    method: c.req.method,
    route: outcome.route,
    status,
    durationMs: Math.round(elapsedMs * 1000) / 1000,
    [LOG_FIELDS.requestId]: requestId,
  };
  if (span !== undefined) {
    const spanContext = span.spanContext();
    line[LOG_FIELDS.traceId] = spanContext.traceId;
    line[LOG_FIELDS.spanId] = spanContext.spanId;
    line[LOG_FIELDS.traceFlags] = spanContext.traceFlags & 1 ? '01' : '00';
  }
  if (status >= 500) {
    if (error !== undefined) line.errorType = errorType(error);
    logger.error(line, 'request completed');
  } else if (status >= 400) {
    logger.warn(line, 'request completed');
  } else {
    logger.info(line, 'request completed');
  }
}
