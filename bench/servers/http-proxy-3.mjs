// The Node reverse proxy people reach for, set up as its README suggests for production:
// keep-alive connections to the upstream and WebSocket support.
import { Agent, createServer } from 'node:http';
import { createProxyServer } from 'http-proxy-3';

const [port, target] = [Number(process.argv[2] ?? 0), process.argv[3]];
const proxy = createProxyServer({
  target,
  ws: true,
  xfwd: true,
  agent: new Agent({ keepAlive: true, maxSockets: 256 }),
});
proxy.on('error', (_error, _req, res) => {
  if (res && 'writeHead' in res && !res.headersSent) res.writeHead(502).end();
  else res?.destroy?.();
});
const server = createServer((req, res) => proxy.web(req, res));
server.on('upgrade', (req, socket, head) => proxy.ws(req, socket, head));
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
