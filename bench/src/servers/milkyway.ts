// Milkyway: every scenario built from the packages' public entry points only.
import { createService } from '@milkyway/core';
import { announce, HELLO, scenario } from './announce.js';

const name = 'bench';
const version = '0.0.0';
let beforeExit: (() => Promise<unknown>) | undefined;

async function build() {
  switch (scenario()) {
    case 'hello': {
      // createService with its defaults (request id, deadline, errors, body limit, security headers).
      const service = createService({ name, version });
      service.get('/', (c) => c.text(HELLO));
      return service;
    }
    default:
      throw new Error(
        `milkyway: scenario ${scenario()} is not built yet (its package API has not landed)`,
      );
  }
}

const service = await build();
const { port } = await service.listen({ port: 0, hostname: '127.0.0.1', signals: false });
announce(port, async () => {
  await beforeExit?.();
  await service.close();
});
