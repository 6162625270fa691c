// The local server every benchmark path ends at: a small answer, an upload sink, a download
// source and a WebSocket echo. Plain JavaScript on node:http so it costs the same for everyone.
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const HELLO = Buffer.from('hello world!\n');
const CHUNK = Buffer.alloc(64 * 1024, 0x61);

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://origin');
  if (url.pathname === '/upload') {
    let received = 0;
    req.on('data', (chunk) => {
      received += chunk.length;
    });
    req.on('end', () => res.end(`${received}\n`));
    return;
  }
  if (url.pathname === '/download') {
    const total = Number(url.searchParams.get('bytes') ?? 0);
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': total });
    let left = total;
    const pump = () => {
      while (left > 0) {
        const piece = left >= CHUNK.length ? CHUNK : CHUNK.subarray(0, left);
        left -= piece.length;
        if (!res.write(piece)) return void res.once('drain', pump);
      }
      res.end();
    };
    pump();
    return;
  }
  req.resume();
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': HELLO.length });
  res.end(HELLO);
});

const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
server.on('upgrade', (req, socket, head) => {
  wss.handleUpgrade(req, socket, head, (ws) => {
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
  });
});

server.keepAliveTimeout = 65_000;
server.listen(Number(process.argv[2] ?? 0), '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
