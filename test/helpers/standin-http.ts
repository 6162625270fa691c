import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** An answer a stand-in gives instead of its own, once: a status, a stalled call, or a flood of bytes. */
export type InjectedAnswer =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  | { readonly stall: true }
  | { readonly bytes: number };

/** A request as a stand-in's handler sees it: parsed URL, headers, form or JSON body. */
export interface StandinRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  /** The form (or JSON object) body, as strings. */
  readonly form: Readonly<Record<string, string>>;
}

/** What a handler answers. */
export interface StandinAnswer {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
}

/** A real HTTP server on a loopback port with the fault injection both stand-ins share. */
export interface StandinServer {
  readonly url: string;
  /** Paths of the requests received, in order (`POST /login/oauth/access_token`). */
  readonly requests: string[];
  /** The next request whose path starts with `pathPrefix` gets `answer` instead. */
  injectNext(pathPrefix: string, answer: InjectedAnswer): void;
  close(): Promise<void>;
}

/** Starts `handle` on 127.0.0.1 port 0. */
export async function startStandin(
  handle: (req: StandinRequest) => StandinAnswer | Promise<StandinAnswer>,
): Promise<StandinServer> {
  const injected: { prefix: string; answer: InjectedAnswer }[] = [];
  const requests: string[] = [];
  const stalled = new Set<ServerResponse>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://standin.invalid');
    requests.push(`${req.method} ${url.pathname}`);
    const text = await readBody(req);
    const at = injected.findIndex((i) => url.pathname.startsWith(i.prefix));
    if (at >= 0) {
      const answer = injected.splice(at, 1)[0]!.answer;
      if ('stall' in answer) {
        stalled.add(res);
        res.on('close', () => stalled.delete(res));
        return;
      }
      if ('bytes' in answer) {
        res.writeHead(200, { 'content-type': 'application/json' });
        const chunk = Buffer.alloc(64 * 1024, 0x20);
        for (let sent = 0; sent < answer.bytes && !res.destroyed; sent += chunk.length)
          if (!res.write(chunk)) await drainedOrClosed(res);
        res.end();
        return;
      }
      res.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
      return;
    }
    const form = parseBody(text, req.headers['content-type'] ?? '');
    const answer = await handle({ method: req.method ?? 'GET', url, headers: req.headers, form });
    res.writeHead(answer.status, answer.headers ?? {}).end(answer.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    injectNext: (prefix, answer) => injected.push({ prefix, answer }),
    close: () =>
      new Promise((resolve) => {
        for (const res of stalled) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Resolves when `res` can take more, or is gone; either way both listeners leave with it. */
function drainedOrClosed(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done).off('close', done);
      resolve();
    };
    res.once('drain', done).once('close', done);
  });
}

/** The URL of a loopback port where nothing listens (a server opened and closed again). */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseBody(text: string, type: string): Record<string, string> {
  if (!text) return {};
  if (type.includes('application/json')) {
    const value = JSON.parse(text) as Record<string, unknown>;
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
  }
  return Object.fromEntries(new URLSearchParams(text));
}

/** Client credentials from HTTP Basic or the form, as OAuth servers accept them (RFC 6749 §2.3.1). */
export function clientCredentials(req: StandinRequest): { id?: string; secret?: string } {
  const basic = /^Basic (.+)$/i.exec(req.headers.authorization ?? '');
  if (basic) {
    const [id, secret] = Buffer.from(basic[1]!, 'base64').toString('utf8').split(':');
    return { id: decodeURIComponent(id ?? ''), secret: decodeURIComponent(secret ?? '') };
  }
  return {
    ...(req.form['client_id'] ? { id: req.form['client_id'] } : {}),
    ...(req.form['client_secret'] ? { secret: req.form['client_secret'] } : {}),
  };
}

/** The bearer token of a request (`Bearer x` or GitHub's `token x`). */
export function bearerToken(req: StandinRequest): string | undefined {
  return /^(?:Bearer|token) (\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
}

/** A random token with a provider's prefix (`gho_`, `glpat-`…). */
export function token(prefix: string): string {
  return `${prefix}${randomBytes(18).toString('base64url')}`;
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): StandinAnswer {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: JSON.stringify(value),
  };
}

export function html(status: number, body: string): StandinAnswer {
  return {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
    body: `<!doctype html><html><body>${body}</body></html>`,
  };
}

export function redirect(to: URL): StandinAnswer {
  return { status: 302, headers: { location: to.href } };
}

/** HTML-escapes text for the pages. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The consent page both stand-ins show: the request's parameters kept as hidden fields, two buttons. */
export function consentPage(
  provider: string,
  appName: string,
  user: string,
  action: string,
  params: URLSearchParams,
): StandinAnswer {
  const hidden = [...params]
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  return html(
    200,
    `<h1>Authorize ${escapeHtml(appName)}</h1><p>Signed in to ${provider} as <b id="user">${escapeHtml(user)}</b></p>` +
      `<form method="post" action="${escapeHtml(action)}">${hidden}<input type="hidden" name="login" value="${escapeHtml(user)}">` +
      `<button type="submit" name="authorize" value="1">Authorize</button> <button type="submit" name="authorize" value="0">Cancel</button></form>`,
  );
}

/** The hidden fields of a consent page, as a browser would post them with `authorize`. */
export function consentForm(page: string, authorize: boolean): URLSearchParams {
  const form = new URLSearchParams();
  for (const m of page.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g))
    form.set(unescapeHtml(m[1]!), unescapeHtml(m[2]!));
  form.set('authorize', authorize ? '1' : '0');
  return form;
}

function unescapeHtml(text: string): string {
  return text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
}
