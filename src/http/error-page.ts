import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import { errorAnswer } from './error-response.ts';
import { escapeHtml } from './html-page.ts';

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad request',
  404: 'No route',
  413: 'Request body too large',
  429: 'Too many requests',
  421: 'Misdirected request',
  431: 'Request headers too large',
  501: 'Not implemented',
  502: 'Upstream unreachable',
  503: 'Service unavailable',
  504: 'Upstream timed out',
};

/**
 * Answers with the error: JSON `{error, message}` for clients that ask for JSON, a small HTML page
 * otherwise. Does nothing when the response has started (the caller then destroys the socket).
 */
export function sendEdgeError(req: IncomingMessage, res: ServerResponse, error: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const { status, headers, document } = errorAnswer(error);
  const wantsJson =
    /\bjson\b/i.test(req.headers.accept ?? '') && !/text\/html/i.test(req.headers.accept ?? '');
  const title = TITLES[status] ?? 'Error';
  const body = wantsJson
    ? JSON.stringify(document)
    : `<!doctype html><html><head><meta charset="utf-8"><title>${status} ${title}</title></head>` +
      `<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;color:#222">` +
      `<h1>${status} ${title}</h1><p>${escapeHtml(document.message)}</p>` +
      `<p style="color:#888"><small>${document.error} &middot; Gatehouse</small></p></body></html>\n`;
  // The reason phrase is named: one left from a writeHead that failed must not stay.
  res.writeHead(status, STATUS_CODES[status] ?? 'Error', {
    ...headers,
    'content-type': wantsJson ? 'application/json' : 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    // A body the client is still sending will not be read: close instead of draining it.
    ...(req.complete ? {} : { connection: 'close' }),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}
