/**
 * Reads the server name (SNI) from the first bytes of a TLS connection without terminating it:
 * the ClientHello travels in plaintext handshake records (RFC 8446 §5.1, §4.1.2) and carries the
 * name in its `server_name` extension (RFC 6066 §3). Pure: bytes in, a verdict out.
 */

import { EdgeError } from '../../http/edge-error.ts';

/** Largest ClientHello read; real ones are a few KiB even with post-quantum key shares. */
export const MAX_HELLO_BYTES = 32 * 1024;
/** Largest number of bytes buffered while waiting for a whole ClientHello, record headers included. */
export const MAX_PEEK_BYTES = 64 * 1024;

const RECORD_HEADER = 5;
const HANDSHAKE_HEADER = 4;
const CONTENT_HANDSHAKE = 22;
const HANDSHAKE_CLIENT_HELLO = 1;
const EXTENSION_SERVER_NAME = 0;
const EXTENSION_ALPN = 16;
const NAME_TYPE_HOST = 0;
/** A plaintext record's fragment is at most 2^14 bytes (RFC 8446 §5.1). */
const MAX_RECORD = 16_384;

/** What the first bytes of a connection turned out to be. */
export type ClientHelloPeek =
  /** Not enough bytes yet to decide. */
  | { readonly kind: 'incomplete' }
  /**
   * A whole ClientHello; `serverName` lower-cased, absent when the client sent none; `alpn` the
   * protocols it offers (RFC 7301), empty when it offers none.
   */
  | { readonly kind: 'hello'; readonly serverName: string | undefined; readonly alpn: readonly string[] }
  /** Not a ClientHello one can route by: plain HTTP, another protocol, or a malformed hello. */
  | { readonly kind: 'other'; readonly reason: string };

/** Bytes that cannot be a ClientHello; caught here and turned into an `other` verdict. */
class Malformed extends EdgeError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
  }
}

/** Decides what `bytes` (everything received so far on a connection) begin with. */
export function peekClientHello(bytes: Uint8Array): ClientHelloPeek {
  try {
    const message = handshakeMessage(bytes);
    if (message === undefined) {
      if (bytes.length > MAX_PEEK_BYTES) return other('no whole ClientHello in the first 64 KiB');
      return { kind: 'incomplete' };
    }
    return { kind: 'hello', ...helloFields(message) };
  } catch (error) {
    if (error instanceof Malformed) return other(error.message);
    throw error;
  }
}

function other(reason: string): ClientHelloPeek {
  return { kind: 'other', reason };
}

/**
 * The ClientHello's body, reassembled from as many handshake records as it spans; undefined
 * while more bytes are needed. Throws {@link Malformed} as soon as the bytes cannot be one.
 */
function handshakeMessage(bytes: Uint8Array): Uint8Array | undefined {
  const fragments: Uint8Array[] = [];
  let gathered = 0;
  let needed: number | undefined;
  let at = 0;
  for (;;) {
    if (bytes.length - at < RECORD_HEADER) {
      checkRecordStart(bytes.subarray(at));
      return undefined;
    }
    checkRecordStart(bytes.subarray(at, at + 3));
    const length = (bytes[at + 3]! << 8) | bytes[at + 4]!;
    if (length === 0) throw new Malformed('an empty handshake record');
    if (length > MAX_RECORD) throw new Malformed(`a record of ${length} bytes, more than TLS allows`);
    const end = at + RECORD_HEADER + length;
    const fragment = bytes.subarray(at + RECORD_HEADER, Math.min(end, bytes.length));
    fragments.push(fragment);
    gathered += fragment.length;
    if (needed === undefined && gathered >= HANDSHAKE_HEADER) {
      const head = concat(fragments, HANDSHAKE_HEADER);
      if (head[0] !== HANDSHAKE_CLIENT_HELLO)
        throw new Malformed(`handshake message type ${head[0]} where a ClientHello (1) belongs`);
      const bodyLength = (head[1]! << 16) | (head[2]! << 8) | head[3]!;
      if (bodyLength > MAX_HELLO_BYTES)
        throw new Malformed(`a ClientHello of ${bodyLength} bytes, more than ${MAX_HELLO_BYTES}`);
      needed = HANDSHAKE_HEADER + bodyLength;
    }
    if (needed !== undefined && gathered >= needed)
      return concat(fragments, needed).subarray(HANDSHAKE_HEADER);
    if (end > bytes.length) return undefined;
    at = end;
  }
}

/** Checks a record's content type and protocol version, as far as the bytes go. */
function checkRecordStart(head: Uint8Array): void {
  if (head.length > 0 && head[0] !== CONTENT_HANDSHAKE)
    throw new Malformed(`not a TLS handshake record (type ${head[0]})`);
  if (head.length > 1 && head[1] !== 3) throw new Malformed(`record version ${head[1]}.x is not TLS`);
}

/** The first `length` bytes of the fragments joined. */
function concat(fragments: readonly Uint8Array[], length: number): Uint8Array {
  if (fragments[0]!.length >= length) return fragments[0]!.subarray(0, length);
  const out = new Uint8Array(length);
  let at = 0;
  for (const fragment of fragments) {
    const take = Math.min(fragment.length, length - at);
    out.set(fragment.subarray(0, take), at);
    at += take;
    if (at === length) break;
  }
  return out;
}

/** A cursor over a ClientHello body that refuses to read past its end. */
class Reader {
  readonly #bytes: Uint8Array;
  #at = 0;

  constructor(bytes: Uint8Array) {
    this.#bytes = bytes;
  }

  get left(): number {
    return this.#bytes.length - this.#at;
  }

  take(n: number, what: string): Uint8Array {
    if (n > this.left) throw new Malformed(`the ClientHello ends inside its ${what}`);
    const out = this.#bytes.subarray(this.#at, this.#at + n);
    this.#at += n;
    return out;
  }

  u8(what: string): number {
    return this.take(1, what)[0]!;
  }

  u16(what: string): number {
    const b = this.take(2, what);
    return (b[0]! << 8) | b[1]!;
  }
}

/** The host name in a ClientHello body's `server_name` extension, if it has one, and the ALPN protocols offered. */
function helloFields(body: Uint8Array): { serverName: string | undefined; alpn: string[] } {
  const r = new Reader(body);
  r.take(2, 'version');
  r.take(32, 'random');
  const sessionId = r.u8('session id length');
  if (sessionId > 32) throw new Malformed(`a session id of ${sessionId} bytes, more than 32`);
  r.take(sessionId, 'session id');
  const suites = r.u16('cipher suites length');
  if (suites < 2 || suites % 2 !== 0) throw new Malformed(`a cipher suite list of ${suites} bytes`);
  r.take(suites, 'cipher suites');
  const compressions = r.u8('compression methods length');
  if (compressions < 1) throw new Malformed('no compression methods');
  r.take(compressions, 'compression methods');
  // A hello without extensions (SSL 3.0 style) names no server.
  if (r.left === 0) return { serverName: undefined, alpn: [] };
  const extensionsLength = r.u16('extensions length');
  if (extensionsLength !== r.left)
    throw new Malformed(`extensions of ${extensionsLength} bytes where ${r.left} remain`);
  const seen = new Set<number>();
  let name: string | undefined;
  let alpn: string[] = [];
  while (r.left > 0) {
    const type = r.u16('extension type');
    const data = r.take(r.u16('extension length'), `extension ${type}`);
    if (seen.has(type)) throw new Malformed(`extension ${type} appears twice`);
    seen.add(type);
    if (type === EXTENSION_SERVER_NAME) name = hostNameIn(data);
    if (type === EXTENSION_ALPN) alpn = protocolsIn(data);
  }
  return { serverName: name, alpn };
}

/** The protocol names of an ALPN extension's ProtocolNameList. */
function protocolsIn(data: Uint8Array): string[] {
  const r = new Reader(data);
  const listLength = r.u16('protocol name list length');
  if (listLength !== r.left)
    throw new Malformed(`a protocol name list of ${listLength} bytes where ${r.left} remain`);
  const protocols: string[] = [];
  while (r.left > 0) {
    const name = r.take(r.u8('protocol name length'), 'protocol name');
    protocols.push(String.fromCharCode(...name));
  }
  return protocols;
}

/** The host name in a `server_name` extension's ServerNameList (one per name type at most). */
function hostNameIn(data: Uint8Array): string {
  const r = new Reader(data);
  const listLength = r.u16('server name list length');
  if (listLength !== r.left || listLength === 0)
    throw new Malformed(`a server name list of ${listLength} bytes where ${r.left} remain`);
  let host: string | undefined;
  while (r.left > 0) {
    const type = r.u8('server name type');
    const name = r.take(r.u16('server name length'), 'server name');
    if (type !== NAME_TYPE_HOST) continue;
    if (host !== undefined) throw new Malformed('two host names in server_name');
    host = hostName(name);
  }
  if (host === undefined) throw new Malformed('server_name without a host name');
  return host;
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** The bytes as a lower-case DNS host name (RFC 6066: ASCII, no trailing dot), else Malformed. */
function hostName(bytes: Uint8Array): string {
  if (bytes.length === 0 || bytes.length > 253) throw new Malformed(`a server name of ${bytes.length} bytes`);
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b);
  const name = text.toLowerCase();
  if (!name.split('.').every((label) => LABEL.test(label)))
    throw new Malformed(`the server name ${JSON.stringify(text.slice(0, 80))} is not a host name`);
  return name;
}
