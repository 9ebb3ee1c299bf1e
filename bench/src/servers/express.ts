// Express 5: hello, and the realistic route built by hand (jose, rate-limiter-flexible, lru-cache).
import express, { type NextFunction, type Request, type Response } from 'express';
import { jwtVerify } from 'jose';
import { LRUCache } from 'lru-cache';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { announce, HELLO, scenario } from './announce.js';
import {
  ADMIT_ALL,
  AUDIENCE,
  ISSUER,
  ORDERS,
  type Order,
  OrderParams,
  publicKeyObject,
} from './fixtures.js';

const app = express();
app.disable('x-powered-by');
app.set('etag', false);
let beforeExit: (() => Promise<unknown>) | undefined;

switch (scenario()) {
  case 'hello':
    app.get('/', (_req, res) => {
      res.type('text/plain').send(HELLO);
    });
    break;

  case 'orders': {
    const { setupPeerTracing } = await import('./otel-peer.js');
    const tracing = setupPeerTracing();
    beforeExit = () => tracing.shutdown();
    const key = publicKeyObject('ES256');
    const limiter = new RateLimiterMemory({
      points: ADMIT_ALL.points,
      duration: ADMIT_ALL.durationS,
    });
    const cache = new LRUCache<string, Order>({ max: 1000, ttl: 60_000 });
    type Authed = Request & { sub?: string };

    app.use((req, res, next) => {
      const s = tracing.start(req.method, '/orders/:id', req.path);
      res.once('finish', () => tracing.end(s, res.statusCode));
      next();
    });
    app.use(async (req: Authed, res: Response, next: NextFunction) => {
      const header = req.headers.authorization;
      if (!header?.startsWith('Bearer ')) {
        res.status(401).json({ title: 'Unauthorized', status: 401 });
        return;
      }
      try {
        const { payload } = await jwtVerify(header.slice(7), key, {
          algorithms: ['ES256'],
          issuer: ISSUER,
          audience: AUDIENCE,
        });
        req.sub = payload.sub;
      } catch {
        res.status(401).json({ title: 'Unauthorized', status: 401 });
        return;
      }
      try {
        await limiter.consume(req.sub ?? 'anonymous');
      } catch {
        res.status(429).json({ title: 'Too Many Requests', status: 429 });
        return;
      }
      next();
    });
    app.get('/orders/:id', (req, res) => {
      const parsed = OrderParams.safeParse(req.params);
      if (!parsed.success) {
        res.status(400).json({ title: 'Bad Request', status: 400 });
        return;
      }
      const id = parsed.data.id;
      let order = cache.get(id);
      if (!order) {
        order = ORDERS.get(id);
        if (order) cache.set(id, order);
      }
      if (!order) {
        res.status(404).json({ title: 'Not Found', status: 404 });
        return;
      }
      res.json(order);
    });
    break;
  }

  default:
    throw new Error(`express: unknown scenario ${scenario()}`);
}

const server = app.listen(0, '127.0.0.1', () => announce(server, beforeExit));
