import type { OutgoingHttpHeaders } from 'node:http';
import { PAGE_CSP } from '../../http/html-page.ts';

/**
 * The headers of a page or JSON document a `fleet-login` route answers with: never cached (they
 * hold vehicle locations and form tokens), never sniffed as another type, and a page under a
 * policy that loads nothing, runs no script and posts its forms only to its own origin.
 */
export function bodyHeaders(json: boolean, body: string): OutgoingHttpHeaders {
  return {
    'content-type': json ? 'application/json' : 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...(json ? {} : { 'content-security-policy': PAGE_CSP }),
  };
}
