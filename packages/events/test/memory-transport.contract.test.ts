import { createMemoryBroker } from '../src/index.js';
import { describeTransportContract } from '../src/testing.js';

describeTransportContract('memory', () => {
  const broker = createMemoryBroker();
  const raw = broker.connect();
  return {
    connect: () => broker.connect(),
    publishRaw: async (destination, headers, body) => raw.inject(destination, { headers, body }),
  };
});
