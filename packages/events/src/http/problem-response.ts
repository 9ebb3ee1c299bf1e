/** An RFC 9457 problem+json response (the receiver may run on plain Hono, without core). */
export function problemResponse(
  status: number,
  title: string,
  detail: string,
  extra: { reason?: string; retryAfterSeconds?: number } = {},
): Response {
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (extra.retryAfterSeconds !== undefined)
    headers['retry-after'] = String(extra.retryAfterSeconds);
  const body: Record<string, unknown> = { type: 'about:blank', title, status, detail };
  if (extra.reason !== undefined) body.reason = extra.reason;
  return new Response(JSON.stringify(body), { status, headers });
}
