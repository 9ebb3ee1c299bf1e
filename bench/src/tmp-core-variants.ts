import { serve } from '@hono/node-server';
import { createService, silentLogger } from '@milkyway/core';
import { Hono } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

const v = process.env.V ?? 'svc';
let count = 0;
const H: [string,string][] = [['cross-origin-resource-policy','same-origin'],['cross-origin-opener-policy','same-origin'],['origin-agent-cluster','?1'],['referrer-policy','no-referrer'],['strict-transport-security','max-age=15552000; includeSubDomains'],['x-content-type-options','nosniff'],['x-dns-prefetch-control','off'],['x-download-options','noopen'],['x-frame-options','SAMEORIGIN'],['x-permitted-cross-domain-policies','none'],['x-xss-protection','0'],['x-request-id','0f8fad5b-d9cb-469f-a165-70867728950e']];
const HM = new Map(H);
const counter = async (_c: any, next: any) => {
  count++;
  await next();
};
let port: number;
if (v.startsWith('hono')) {
  const app = new Hono();
  if (v === 'hono-mw')
    app.use(async (_c, next) => {
      await next();
    });
  if (v === 'hono-sh') app.use(secureHeaders());
  app.get('/', (c) => {
    count++;
    return c.text('hello world');
  });
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  port = (server.address() as any).port;
} else {
  const service = createService({
    name: 'b',
    version: '0',
    logger: silentLogger,
    secureHeaders: v === 'svc-nosh' ? false : undefined,
  });
  service.get('/', (c) => {
    count++;
    return c.text('hello world');
  });
  ({ port } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false }));
}
process.stdout.write(`PORT=${port}\n`);
let base = process.cpuUsage();
let startCount = 0;
process.on('SIGUSR2', () => {
  base = process.cpuUsage();
  startCount = count;
});
process.on('SIGTERM', () => {
  const u = process.cpuUsage(base);
  const n = count - startCount;
  process.stdout.write(`CPU_US_PER_REQ=${((u.user + u.system) / n).toFixed(2)} n=${n}\n`);
  process.exit(0);
});
