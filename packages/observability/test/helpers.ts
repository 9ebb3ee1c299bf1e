import { serve } from '@hono/node-server';

/** A Hono app listening on 127.0.0.1 on a random free port. */
export async function listen(app: {
  // biome-ignore lint/suspicious/noExplicitAny: any Hono app, whatever its Env
  fetch: (request: Request, ...rest: any[]) => Response | Promise<Response>;
}): Promise<{ url: string; close: () => Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
      resolve({
        url: `http://127.0.0.1:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) =>
            server.close((error) => (error ? fail(error) : done())),
          ),
      });
    });
  });
}

/** Collects pino's output lines as parsed JSON objects. */
export function lineCollector(): {
  lines: Array<Record<string, unknown>>;
  destination: { write: (line: string) => void };
} {
  const lines: Array<Record<string, unknown>> = [];
  return { lines, destination: { write: (line: string) => lines.push(JSON.parse(line)) } };
}
