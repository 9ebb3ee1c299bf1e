import type { Span } from '@opentelemetry/api';
import Fastify from 'fastify';
import { LRUCache } from 'lru-cache';
import { announce, HELLO, scenario } from './announce.js';
import { registerJwt, registerJwtAndRateLimit } from './fastify-stack.js';
import { benchAlg, ORDERS, type Order, OrderParams } from './fixtures.js';

const app = Fastify({ logger: false });
let beforeExit: (() => Promise<unknown>) | undefined;

switch (scenario()) {
  case 'hello':
    app.get('/', async (_req, reply) => reply.type('text/plain; charset=UTF-8').send(HELLO));
    break;

  case 'jwt': {
    await registerJwt(app, benchAlg());
    app.addHook('onRequest', async (req) => {
      await req.jwtVerify();
    });
    app.get('/me', async (req) => ({ subject: (req.user as { sub: string }).sub }));
    break;
  }

  case 'orders': {
    const { setupPeerTracing } = await import('./otel-peer.js');
    const tracing = setupPeerTracing();
    beforeExit = () => tracing.shutdown();
    const cache = new LRUCache<string, Order>({ max: 1000, ttl: 60_000 });
    const spans = new WeakMap<object, Span>();

    app.addHook('onRequest', async (req) => {
      spans.set(req, tracing.start(req.method, '/orders/:id', req.url));
    });
    app.addHook('onResponse', async (req, reply) => {
      const s = spans.get(req);
      if (s) tracing.end(s, reply.statusCode);
    });
    await registerJwtAndRateLimit(app);
    app.get('/orders/:id', async (req, reply) => {
      const parsed = OrderParams.safeParse(req.params);
      if (!parsed.success) return reply.code(400).send({ title: 'Bad Request', status: 400 });
      const id = parsed.data.id;
      let order = cache.get(id);
      if (!order) {
        order = ORDERS.get(id);
        if (order) cache.set(id, order);
      }
      if (!order) return reply.code(404).send({ title: 'Not Found', status: 404 });
      return order;
    });
    break;
  }

  default:
    throw new Error(`fastify: unknown scenario ${scenario()}`);
}

await app.listen({ port: 0, host: '127.0.0.1' });
announce(app.server, beforeExit);
