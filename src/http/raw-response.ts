import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Writes a complete HTTP/1.1 response, with the status's standard reason phrase, onto a socket
 * that the HTTP server has handed over (upgrades, parse errors).
 */
export function writeRawResponse(
  socket: Duplex,
  status: number,
  headers: readonly [string, string][],
  body = '',
): void {
  if (socket.destroyed || !socket.writable) return;
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`];
  for (const [name, value] of headers) lines.push(`${name}: ${value}`);
  // 204 and 304 carry neither a body nor its length.
  const bodiless = status === 204 || status === 304;
  if (!bodiless) lines.push(`content-length: ${Buffer.byteLength(body)}`);
  lines.push('connection: close', '', bodiless ? '' : body);
  socket.end(lines.join('\r\n'));
}

/** Serialises a response head received from upstream so it can be relayed byte-for-byte in meaning. */
export function serializeHead(status: number, statusText: string, rawHeaders: readonly string[]): string {
  const lines = [`HTTP/1.1 ${status} ${statusText}`];
  for (let i = 0; i < rawHeaders.length; i += 2) lines.push(`${rawHeaders[i]}: ${rawHeaders[i + 1]}`);
  return `${lines.join('\r\n')}\r\n\r\n`;
}

/**
 * The head of a response relayed as it is and then the connection closed (an upgrade the upstream
 * declined): its end-to-end headers, the standard reason phrase, and `connection: close`.
 */
export function closingResponseHead(
  status: number,
  headers: Readonly<Record<string, string | string[]>>,
): string {
  const raw: string[] = [];
  for (const [name, value] of Object.entries(headers))
    for (const one of Array.isArray(value) ? value : [value]) raw.push(name, one);
  raw.push('connection', 'close');
  return serializeHead(status, STATUS_CODES[status] ?? 'Unknown', raw);
}
