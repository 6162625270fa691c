import { once } from 'node:events';
import { type AddressInfo, createServer } from 'node:net';
import { connect } from 'node:tls';

/**
 * The first bytes a real TLS client (Node's OpenSSL) sends: its ClientHello, as records. With
 * `servername` undefined the client sends no server name.
 */
export async function captureClientHello(
  servername: string | undefined,
  ALPNProtocols?: string[],
): Promise<Buffer> {
  const server = createServer();
  const got = new Promise<Buffer>((resolve) => {
    server.once('connection', (socket) => {
      socket.once('data', (chunk: Buffer) => {
        resolve(chunk);
        socket.destroy();
      });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect({
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    // Without a name to a host given as an IP address, Node sends no server_name at all.
    ...(servername ? { servername } : {}),
    ...(ALPNProtocols ? { ALPNProtocols } : {}),
    rejectUnauthorized: false,
  });
  client.on('error', () => {});
  const hello = await got;
  client.destroy();
  server.close();
  return hello;
}

/** Splits the handshake bytes inside TLS records into records of `size` bytes each. */
export function reframe(records: Buffer, size: number): Buffer {
  const handshake: Buffer[] = [];
  for (let at = 0; at + 5 <= records.length; ) {
    const length = records.readUInt16BE(at + 3);
    handshake.push(records.subarray(at + 5, at + 5 + length));
    at += 5 + length;
  }
  const body = Buffer.concat(handshake);
  const out: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) {
    const piece = body.subarray(at, at + size);
    out.push(record(22, piece));
  }
  return Buffer.concat(out);
}

/** One TLS record. */
export function record(type: number, fragment: Buffer, version = 0x0301): Buffer {
  const head = Buffer.alloc(5);
  head[0] = type;
  head.writeUInt16BE(version, 1);
  head.writeUInt16BE(fragment.length, 3);
  return Buffer.concat([head, fragment]);
}

/** A vector with a big-endian length prefix of `width` bytes. */
export function vector(width: 1 | 2 | 3, bytes: Buffer): Buffer {
  const head = Buffer.alloc(width);
  head.writeUIntBE(bytes.length, 0, width);
  return Buffer.concat([head, bytes]);
}

/** An extension: type and data. */
export function extension(type: number, data: Buffer): Buffer {
  const head = Buffer.alloc(2);
  head.writeUInt16BE(type);
  return Buffer.concat([head, vector(2, data)]);
}

/** A `server_name` extension's data listing these (type, name) entries. */
export function serverNameList(entries: [type: number, name: Buffer | string][]): Buffer {
  return vector(
    2,
    Buffer.concat(
      entries.map(([type, name]) =>
        Buffer.concat([Buffer.from([type]), vector(2, Buffer.isBuffer(name) ? name : Buffer.from(name))]),
      ),
    ),
  );
}

/** Parts of a hand-made ClientHello body; each can be replaced by hostile bytes. */
export interface HelloParts {
  sessionId?: Buffer;
  suites?: Buffer;
  compressions?: Buffer;
  /** The whole extensions block, length prefix included; `null` for none at all. */
  extensions?: Buffer | null;
}

/** A hand-made ClientHello handshake message (type, length, body) from its parts. */
export function helloMessage(parts: HelloParts = {}): Buffer {
  const body = Buffer.concat([
    Buffer.from([3, 3]),
    Buffer.alloc(32, 7),
    parts.sessionId ?? vector(1, Buffer.alloc(32, 1)),
    parts.suites ?? vector(2, Buffer.from([0x13, 0x01, 0x13, 0x02])),
    parts.compressions ?? vector(1, Buffer.from([0])),
    parts.extensions === null ? Buffer.alloc(0) : (parts.extensions ?? Buffer.alloc(0)),
  ]);
  return Buffer.concat([Buffer.from([1]), vector(3, body)]);
}

/** A hand-made ClientHello in one record, naming `name` in server_name. */
export function helloNaming(name: string | Buffer): Buffer {
  return record(22, helloMessage({ extensions: vector(2, extension(0, serverNameList([[0, name]]))) }));
}
