// Raw node:http: the ceiling every other hello is compared with.
import { createServer } from 'node:http';
import { announce, HELLO } from './announce.js';

const server = createServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8' });
  res.end(HELLO);
});
server.listen(0, '127.0.0.1', () => announce(server));
