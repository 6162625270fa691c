import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorAnswer } from '../../http/error-response.ts';

/** A JSON-RPC error answer with the HTTP status of the Gatehouse error it stands for. */
export function sendRpcError(
  res: ServerResponse,
  error: unknown,
  id: string | number | null,
  code: number,
): void {
  const { status, headers, document } = errorAnswer(error);
  const body = JSON.stringify({
    jsonrpc: '2.0',
    id,
    error: { code, message: document.message, data: document },
  });
  res
    .writeHead(status, {
      ...headers,
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
    })
    .end(body);
}

/** A request header's first value. */
export function headerOf(req: IncomingMessage, name: string): string | undefined {
  return headerValue(req.headers[name]);
}

/** A header's first value. */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
