import { HTTPException } from 'hono/http-exception';
import { describe, expect, it, vi } from 'vitest';
import { createService, HttpError, type Logger, silentLogger } from '../src/index.js';

function recordingLogger() {
  const lines: Array<{ level: string; obj: Record<string, unknown>; msg: string | undefined }> = [];
  const logger: Logger = {
    debug: (obj, msg) => lines.push({ level: 'debug', obj, msg }),
    info: (obj, msg) => lines.push({ level: 'info', obj, msg }),
    warn: (obj, msg) => lines.push({ level: 'warn', obj, msg }),
    error: (obj, msg) => lines.push({ level: 'error', obj, msg }),
    child: () => logger,
  };
  return { logger, lines };
}

const quiet = () => createService({ name: 'test', version: '0.0.0', logger: silentLogger });

describe('createService', () => {
  it('is a Hono app that plain handlers and Hono middleware plug into', async () => {
    const service = quiet();
    service.use(async (c, next) => {
      await next();
      c.header('x-custom', 'yes');
    });
    service.get('/hello', (c) => c.text('hello'));
    const res = await service.request('/hello');
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello');
    expect(res.headers.get('x-custom')).toBe('yes');
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await quiet().request('/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await res.json()).toMatchObject({
      type: 'about:blank',
      title: 'Not Found',
      status: 404,
    });
  });

  it('answers a known path with the wrong method with 405 and Allow', async () => {
    const service = quiet();
    service.get('/items/:id', (c) => c.text('item'));
    service.put('/items/:id', (c) => c.text('put'));
    const res = await service.request('/items/7', { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD, PUT');
    expect((await res.json()).title).toBe('Method Not Allowed');
  });

  it('marks error responses as not cacheable', async () => {
    const res = await quiet().request('/nope');
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('renders any thrown object with a numeric status as problem+json with its headers', async () => {
    const service = quiet();
    service.get('/limited', () => {
      throw Object.assign(new Error('slow down'), { status: 429, headers: { 'Retry-After': '3' } });
    });
    const res = await service.request('/limited');
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toMatchObject({
      status: 429,
      title: 'Too Many Requests',
      detail: 'slow down',
    });
  });

  it('renders a thrown plain object (not an Error) that carries a status', async () => {
    const service = quiet();
    service.get('/plain', () => {
      throw {
        status: 503,
        title: 'Circuit Open',
        type: 'https://errors.example/circuit-open',
        headers: { 'retry-after': '10' },
      };
    });
    const res = await service.request('/plain');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('10');
    expect(await res.json()).toMatchObject({ status: 503, title: 'Circuit Open' });
  });

  it('keeps HttpError extension members, title and type', async () => {
    const service = quiet();
    service.get('/conflict', () => {
      throw new HttpError(409, 'version conflict', {
        type: 'https://example.com/problems/conflict',
        title: 'Version Conflict',
        extensions: { currentVersion: 7, status: 200 },
      });
    });
    const body = await (await service.request('/conflict')).json();
    expect(body).toMatchObject({
      type: 'https://example.com/problems/conflict',
      title: 'Version Conflict',
      status: 409,
      detail: 'version conflict',
      currentVersion: 7,
    });
  });

  it('renders Hono HTTPException with the headers of its response', async () => {
    const service = quiet();
    service.get('/auth', () => {
      throw new HTTPException(401, {
        res: new Response('Unauthorized', {
          status: 401,
          headers: { 'WWW-Authenticate': 'Bearer realm="x"' },
        }),
      });
    });
    const res = await service.request('/auth');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="x"');
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('hides the message of 5xx errors unless exposed', async () => {
    const service = quiet();
    service.get('/hidden', () => {
      throw new HttpError(503, 'db host 10.0.0.7 refused');
    });
    const body = await (await service.request('/hidden')).json();
    expect(body).toEqual({
      type: 'about:blank',
      title: 'Service Unavailable',
      status: 503,
      requestId: expect.any(String),
    });
  });

  it('answers an unknown error with a bare 500 and logs it with the request id', async () => {
    const { logger, lines } = recordingLogger();
    const service = createService({ name: 'test', version: '0.0.0', logger });
    service.get('/boom', () => {
      throw new Error('secret internal detail at /srv/app.js');
    });
    const res = await service.request('/boom', { headers: { 'x-request-id': 'req-42' } });
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(text).not.toContain('secret');
    expect(text).not.toContain('app.js');
    expect(JSON.parse(text)).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      requestId: 'req-42',
    });
    const logged = lines.find((l) => l.level === 'error');
    expect(logged?.obj.requestId).toBe('req-42');
    expect((logged?.obj.err as Error | undefined)?.message).toContain('secret internal detail');
  });

  it('answers a thrown non-object with a bare 500', async () => {
    const service = quiet();
    service.get('/string', () => {
      throw 'just a string';
    });
    const res = await service.request('/string');
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('just a string');
  });
});

describe('request context', () => {
  it('generates a request id, exposes it on c.var and echoes it', async () => {
    const service = quiet();
    service.get('/id', (c) => c.text(c.var.requestId));
    const res = await service.request('/id');
    const id = res.headers.get('x-request-id');
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await res.text()).toBe(id);
  });

  it('accepts a valid incoming x-request-id', async () => {
    const service = quiet();
    service.get('/id', (c) => c.text(c.var.requestId));
    const res = await service.request('/id', { headers: { 'x-request-id': 'abc-123' } });
    expect(res.headers.get('x-request-id')).toBe('abc-123');
    expect(await res.text()).toBe('abc-123');
  });

  it('replaces an invalid incoming x-request-id', async () => {
    const service = quiet();
    service.get('/id', (c) => c.text(c.var.requestId));
    const res = await service.request('/id', {
      headers: { 'x-request-id': 'bad id\twith "quotes"' },
    });
    expect(res.headers.get('x-request-id')).not.toContain('bad');
  });

  it('echoes the request id on error responses and in the problem', async () => {
    const res = await quiet().request('/missing', { headers: { 'x-request-id': 'r-1' } });
    expect(res.headers.get('x-request-id')).toBe('r-1');
    expect((await res.json()).requestId).toBe('r-1');
  });

  it('sets the deadline from the default budget', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const service = createService({
        name: 't',
        version: '0',
        logger: silentLogger,
        deadline: { defaultMs: 5_000 },
      });
      service.get('/d', (c) => c.json({ deadline: c.var.deadline }));
      const body = await (await service.request('/d')).json();
      expect(body.deadline).toBe(1_005_000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('honours an incoming x-deadline-ms budget, capped by maxMs', async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    try {
      const service = createService({
        name: 't',
        version: '0',
        logger: silentLogger,
        deadline: { maxMs: 60_000 },
      });
      service.get('/d', (c) => c.json({ deadline: c.var.deadline }));
      const short = await (
        await service.request('/d', { headers: { 'x-deadline-ms': '250' } })
      ).json();
      expect(short.deadline).toBe(1_000_250);
      const long = await (
        await service.request('/d', { headers: { 'x-deadline-ms': '999999999' } })
      ).json();
      expect(long.deadline).toBe(1_060_000);
    } finally {
      vi.useRealTimers();
    }
  });

  it('aborts the signal with a 504 reason when the deadline passes', async () => {
    vi.useFakeTimers();
    try {
      const service = quiet();
      let seen: AbortSignal | undefined;
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => {
        entered = resolve;
      });
      service.get('/slow', async (c) => {
        seen = c.var.signal;
        entered();
        await new Promise((_, reject) =>
          c.var.signal.addEventListener('abort', () => reject(c.var.signal.reason)),
        );
        return c.text('never');
      });
      const pending = service.request('/slow', { headers: { 'x-deadline-ms': '100' } });
      await inside;
      expect(seen?.aborted).toBe(false);
      await vi.advanceTimersByTimeAsync(100);
      const res = await pending;
      expect(seen?.aborted).toBe(true);
      expect(res.status).toBe(504);
    } finally {
      vi.useRealTimers();
    }
  });

  it('aborts the signal when the caller aborts the request', async () => {
    const service = quiet();
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    service.get('/wait', async (c) => {
      seen = c.var.signal;
      controller.abort();
      return c.text('done');
    });
    await service.request(new Request('http://local/wait', { signal: controller.signal }));
    expect(seen?.aborted).toBe(true);
  });

  it('answers a body over the limit with 413', async () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger, bodyLimit: 16 });
    service.post('/upload', async (c) => c.text(await c.req.text()));
    const res = await service.request('/upload', {
      method: 'POST',
      headers: { 'content-length': '100', 'content-type': 'text/plain' },
      body: 'x'.repeat(100),
    });
    expect(res.status).toBe(413);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    // Like every other error response, it carries the security headers.
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('answers a streamed body over the limit with 413', async () => {
    const service = createService({ name: 't', version: '0', logger: silentLogger, bodyLimit: 16 });
    service.post('/upload', async (c) => c.text(await c.req.text()));
    const res = await service.request('/upload', { method: 'POST', body: 'y'.repeat(100) });
    expect(res.status).toBe(413);
  });
});

describe('safe defaults', () => {
  it('sends security headers', async () => {
    const service = quiet();
    service.get('/h', (c) => c.text('h'));
    const res = await service.request('/h');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('strict-transport-security')).toContain('max-age=');
    expect(res.headers.get('content-security-policy')).toBe(
      "default-src 'none'; frame-ancestors 'none'",
    );
    expect(res.headers.get('x-xss-protection')).toBeNull();
  });

  it('sends the same security headers over a real socket', async () => {
    const service = quiet();
    service.get('/h', (c) => c.text('h'));
    const { url } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    try {
      const res = await fetch(`${url}/h`);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toBe(
        "default-src 'none'; frame-ancestors 'none'",
      );
      expect(res.headers.get('x-request-id')).toBeTruthy();
    } finally {
      await service.close();
    }
  });

  it('lets a response override a default security header', async () => {
    const service = quiet();
    service.get('/embed', (c) => c.text('frame me', 200, { 'x-frame-options': 'SAMEORIGIN' }));
    const { url } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
    try {
      const res = await fetch(`${url}/embed`);
      expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect((await service.request('/embed')).headers.get('x-frame-options')).toBe('SAMEORIGIN');
    } finally {
      await service.close();
    }
  });

  it('takes hono/secure-headers options instead of the defaults', async () => {
    const service = createService({
      name: 't',
      version: '0',
      logger: silentLogger,
      secureHeaders: { xFrameOptions: 'SAMEORIGIN' },
    });
    service.get('/h', (c) => c.text('h'));
    const res = await service.request('/h');
    expect(res.headers.get('x-frame-options')).toBe('SAMEORIGIN');
  });

  it('sends no CORS headers unless configured', async () => {
    const service = quiet();
    service.get('/h', (c) => c.text('h'));
    const res = await service.request('/h', { headers: { origin: 'https://evil.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('allows only the configured origins and never echoes requested headers', async () => {
    const service = createService({
      name: 't',
      version: '0',
      logger: silentLogger,
      cors: { origin: ['https://app.example'], credentials: true },
    });
    service.get('/h', (c) => c.text('h'));
    const ok = await service.request('/h', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://app.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'x-evil-header',
      },
    });
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(ok.headers.get('access-control-allow-headers')).not.toContain('x-evil-header');
    const denied = await service.request('/h', { headers: { origin: 'https://evil.example' } });
    expect(denied.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a wildcard origin combined with credentials', () => {
    expect(() =>
      createService({
        name: 't',
        version: '0',
        logger: silentLogger,
        cors: { origin: '*', credentials: true },
      }),
    ).toThrow(/credentials/);
  });
});
