// §8 reference floor (diagnostic, not a peer): the smallest proxy Node can be, node:http on both
// sides and `pipe` both ways (no framework, no limits, no header filtering, one keep-alive
// agent). Scenario 'transfer' only, for the 100 MB upload/download: what any Node 20 proxy's
// peak RSS growth is made of before its own code adds anything (the socket buffers each chunk
// arrives in, freed when V8 next collects).
import { Agent, createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { samplePeakRss, upstreamUrl } from '../gateway/peak.js';
import { announce, scenario } from './announce.js';

if (scenario() !== 'transfer') {
  throw new Error(`gateway-node: only the 'transfer' scenario (got ${scenario()})`);
}
samplePeakRss();
const upstream = new URL(upstreamUrl());
const agent = new Agent({ keepAlive: true });
const PREFIX = '/big';

function forward(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').startsWith(PREFIX)
    ? (req.url ?? '/').slice(PREFIX.length)
    : req.url;
  const headers = { ...req.headers, host: upstream.host };
  const out = request(
    { host: upstream.hostname, port: upstream.port, method: req.method, path, headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  out.on('error', () => {
    if (!res.headersSent) res.writeHead(502).end();
    else res.destroy();
  });
  req.pipe(out);
}

const server = createServer(forward);
server.listen(0, '127.0.0.1', () => announce(server));
