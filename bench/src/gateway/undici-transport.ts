// §8 diagnostic: the resilient client's `fetch` option given a transport over undici's
// `request` (a keep-alive pool, what @fastify/http-proxy uses) instead of Node's global fetch.
// Not part of Milkyway: it shows how much of the gateway's per-request cost is fetch's.
import { Readable } from 'node:stream';
import { Agent, request } from 'undici';

const NULL_BODY = new Set([101, 103, 204, 205, 304]);

/** A `(request: Request) => Promise<Response>` over undici.request with one shared pool. */
export function undiciTransport(): (req: Request) => Promise<Response> {
  const dispatcher = new Agent({ keepAliveTimeout: 60_000, connections: 128 });
  return async (req) => {
    const headers: Record<string, string> = {};
    req.headers.forEach((value, name) => {
      headers[name] = value;
    });
    const r = await request(req.url, {
      method: req.method as 'GET',
      headers,
      body: req.body === null ? null : Readable.fromWeb(req.body as never),
      signal: req.signal,
      dispatcher,
    });
    const out = new Headers();
    for (const [name, value] of Object.entries(r.headers)) {
      if (Array.isArray(value)) for (const v of value) out.append(name, v);
      else if (value !== undefined) out.set(name, value);
    }
    if (NULL_BODY.has(r.statusCode) || req.method === 'HEAD') {
      r.body.resume();
      return new Response(null, { status: r.statusCode, headers: out });
    }
    const declared = Number(r.headers['content-length'] ?? Number.NaN);
    // Small bodies of a known length as bytes; the rest as a stream.
    const body =
      declared <= 64 * 1024
        ? new Uint8Array(await r.body.arrayBuffer())
        : (Readable.toWeb(r.body) as ReadableStream<Uint8Array>);
    return new Response(body, { status: r.statusCode, headers: out });
  };
}
