import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { connect } from 'node:net';

/** GET with node:http, which sends whatever headers it is given. */
export function rawGet(
  port: number,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        text += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Writes raw bytes to a port and collects everything until the server closes or `ms` pass. */
export function rawExchange(port: number, bytes: string | Buffer, ms = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(out);
    }, ms);
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => {
      out += c;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
    socket.on('error', (e) => {
      clearTimeout(timer);
      if (out) resolve(out);
      else reject(e);
    });
    socket.write(bytes);
  });
}

/** Writes raw bytes to a port, ends its side, and collects everything until the server closes. */
export function rawSend(port: number, bytes: string | Buffer): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let out = '';
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => {
      out += c;
    });
    // A reset once the server has refused the bytes ends the exchange as a close does.
    socket.on('error', () => {});
    socket.on('close', () => resolve(out));
    socket.end(bytes);
  });
}
