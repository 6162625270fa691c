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
