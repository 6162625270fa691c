import { createHash } from 'node:crypto';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

/** HTML of Gatehouse's own small pages (logins, reports, messages): self-contained, no scripts. */

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The style sheet of these pages; under {@link PAGE_CSP} it is the only styling (no `style=` attributes). */
const PAGE_STYLE =
  'body{font-family:system-ui,sans-serif;max-width:52rem;margin:3rem auto;padding:0 1rem;color:#222}' +
  'table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #ddd}' +
  '.vehicle{border:1px solid #ccc;border-radius:6px;padding:1rem;margin:1rem 0}.muted{color:#777}' +
  '.problem{color:#a00}button{font:inherit}form.inline{display:inline}.qr{width:12rem}';

/**
 * A Content-Security-Policy for these pages: nothing is fetched, no script runs, only their own
 * style sheet (by its hash) applies, forms post to their own origin alone, no site frames them.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  `style-src 'sha256-${createHash('sha256').update(PAGE_STYLE).digest('base64')}'`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

/** A page around `body` (already HTML). */
export function page(title: string, body: string): string {
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)}</title>` +
    `<style>${PAGE_STYLE}</style></head><body>${body}</body></html>\n`
  );
}

/** A link shown under a message: where to go next. */
export interface NextStep {
  readonly href: string;
  readonly label: string;
}

/** A page that says one thing and where to go next (errors, the declined login, logged out). */
export function messagePage(title: string, message: string, next?: NextStep, code?: string): string {
  return page(
    title,
    `<h1>${escapeHtml(title)}</h1><p id="message">${escapeHtml(message)}</p>` +
      (next ? `<p><a id="next" href="${escapeHtml(next.href)}">${escapeHtml(next.label)}</a></p>` : '') +
      (code ? `<p class="muted"><small>${escapeHtml(code)} &middot; Gatehouse</small></p>` : ''),
  );
}

/** Answers with one of Gatehouse's own pages; never cached, since they carry tokens, keys and CSRF tokens. */
export function sendPage(
  res: ServerResponse,
  status: number,
  html: string,
  headers: OutgoingHttpHeaders = {},
): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(html),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(html);
}

/** Sends the browser on (303: the next request is a GET), never cached. */
export function redirectTo(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'content-length': 0, 'cache-control': 'no-store' });
  res.end();
}
