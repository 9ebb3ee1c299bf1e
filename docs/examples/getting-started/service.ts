// The getting-started service (docs/getting-started.md): a public route, a route that needs a
// valid token with the `hello:read` scope, and a trace of every request printed on the console.
//
//   npx tsx token.ts      # once: creates ./keys and prints a token
//   npx tsx service.ts    # listens on http://localhost:3000 (PORT to change it)
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { jwtAuth, requireScopes } from '@milkyway/auth';
import { createService } from '@milkyway/core';
import { tracing } from '@milkyway/observability';
import { setupTelemetry } from '@milkyway/observability/setup';
import { z } from 'zod';

const Greeting = z.object({ message: z.string() });
const Me = z.object({ subject: z.string(), scopes: z.array(z.string()) });

/** Builds the service. `publicKey` (PEM) verifies the tokens' signatures. */
export function createApp(options: { publicKey: string }) {
  const service = createService({ name: 'hello', version: '0.1.0', openapi: true })
    // One span per request (a no-op until setupTelemetry registers the SDK).
    .use(tracing())
    // Everything under /api needs `Authorization: Bearer <token>`.
    .use(
      '/api/*',
      jwtAuth({
        publicKey: options.publicKey,
        algorithms: ['ES256'],
        issuer: 'https://id.example.com',
        audience: 'hello',
      }),
    );

  return service
    .get(
      '/hello/:name',
      {
        params: z.object({ name: z.string().min(1).max(64) }),
        responses: { 200: Greeting },
      },
      (c) => c.json({ message: `Hello, ${c.req.valid('param').name}!` }, 200),
    )
    .get('/api/me', { responses: { 200: Me } }, requireScopes('hello:read'), (c) => {
      const { subject, scopes } = c.var.principal;
      return c.json({ subject, scopes: [...scopes] }, 200);
    });
}

// Run only when started from the command line, not when a test imports this file.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const telemetry = setupTelemetry({
    serviceName: 'hello',
    serviceVersion: '0.1.0',
    // Print each span as soon as it ends. In production leave both out: spans are then
    // batched and sent over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
    traces: 'console',
    spanProcessor: 'simple',
  });
  const publicKey = readFileSync(new URL('./keys/public.pem', import.meta.url), 'utf8');
  const service = createApp({ publicKey });
  service.onClose(() => telemetry.shutdown()); // Ctrl-C / SIGTERM: drain, then flush spans
  await service.listen({ port: Number(process.env.PORT ?? 3000) });
}
