import { createService, HttpError } from '@milkyway/core';
import { z } from 'zod';

const Greeting = z.object({ message: z.string(), requestId: z.string() });

/** The hello service: a typed GET and POST, health at /livez and /readyz, OpenAPI at /openapi.json. */
export function createApp() {
  const names = new Map<string, string>();
  const service = createService({ name: 'hello', version: '1.0.0', openapi: true });
  service.onClose(() => names.clear()); // runs after in-flight requests drained

  return service
    .get(
      '/hello/:name',
      { params: z.object({ name: z.string().min(1).max(40) }), responses: { 200: Greeting } },
      (c) => {
        const { name } = c.req.valid('param');
        return c.json(
          { message: `Hello, ${names.get(name) ?? name}!`, requestId: c.var.requestId },
          200,
        );
      },
    )
    .post(
      '/names',
      {
        body: z.object({ id: z.string().min(1).max(40), display: z.string().min(1).max(80) }),
        responses: { 201: z.object({ id: z.string() }), 409: { description: 'The id is taken' } },
      },
      (c) => {
        const { id, display } = c.req.valid('json');
        if (names.has(id)) throw new HttpError(409, `name ${id} is taken`);
        names.set(id, display);
        return c.json({ id }, 201);
      },
    );
}

/** The app's type, for a typed client: `hc<HelloApp>(url)`. */
export type HelloApp = ReturnType<typeof createApp>;
