/** One stored cookie: the host it came from, its path and value. */
interface Cookie {
  readonly host: string;
  readonly name: string;
  readonly path: string;
  readonly value: string;
}

/** A page the browser landed on. */
export interface Landing {
  readonly url: URL;
  readonly status: number;
  readonly body: string;
}

/**
 * A minimal browser over fetch: cookies by host name (not port, as browsers do) and path,
 * redirects followed by hand so a test can stop at any hop.
 */
export class CookieBrowser {
  readonly #cookies: Cookie[] = [];

  #cookieHeader(url: URL): string {
    return this.#cookies
      .filter(
        (c) =>
          c.host === url.hostname &&
          (url.pathname === c.path ||
            url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`) ||
            c.path === '/'),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join('; ');
  }

  #store(url: URL, setCookies: string[]): void {
    for (const line of setCookies) {
      const [pair, ...attributes] = line.split(';').map((s) => s.trim());
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq);
      const value = pair!.slice(eq + 1);
      const attr = (n: string) =>
        attributes.find((a) => a.toLowerCase().startsWith(`${n}=`))?.slice(n.length + 1);
      const path = attr('path') ?? '/';
      const expires = attr('expires');
      const gone = attr('max-age') === '0' || (expires !== undefined && Date.parse(expires) <= Date.now());
      const i = this.#cookies.findIndex((c) => c.host === url.hostname && c.name === name && c.path === path);
      if (i >= 0) this.#cookies.splice(i, 1);
      if (!gone) this.#cookies.push({ host: url.hostname, name, path, value });
    }
  }

  /** One request, no redirect followed. */
  async request(
    url: URL | string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Response> {
    const target = new URL(url);
    const headers: Record<string, string> = { accept: 'text/html' };
    const cookie = this.#cookieHeader(target);
    if (cookie) headers['cookie'] = cookie;
    let body: string | undefined;
    if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(target, {
      method: init.method ?? (body ? 'POST' : 'GET'),
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body }),
    });
    this.#store(target, res.headers.getSetCookie());
    return res;
  }

  /** Follows redirects from `url` until a page answers or `stop` says a redirect target is the end. */
  async follow(
    url: URL | string,
    options: { method?: string; form?: Record<string, string>; stop?: (next: URL) => boolean } = {},
  ): Promise<Landing> {
    let current = new URL(url);
    let init: { method?: string; form?: Record<string, string> } = options;
    for (let hop = 0; hop < 20; hop++) {
      const res = await this.request(current, init);
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.body?.cancel();
        current = new URL(location, current);
        init = {};
        if (options.stop?.(current)) return { url: current, status: res.status, body: '' };
        continue;
      }
      return { url: current, status: res.status, body: await res.text() };
    }
    throw new Error(`too many redirects from ${url}`);
  }
}

/** The first form of a page, its action and inputs. */
export function firstForm(body: string): { action: string; fields: Record<string, string> } {
  const start = body.indexOf('<form');
  if (start < 0) throw new Error(`no form in the page: ${body.slice(0, 300)}`);
  return fieldsFrom(body, start);
}

/** The hidden and visible inputs of the form with `id` in a page. */
export function formFields(body: string, id: string): { action: string; fields: Record<string, string> } {
  const start = body.indexOf(`id="${id}"`);
  if (start < 0) throw new Error(`no form ${id} in the page: ${body.slice(0, 300)}`);
  return fieldsFrom(body, start);
}

function fieldsFrom(body: string, start: number): { action: string; fields: Record<string, string> } {
  const formStart = body.lastIndexOf('<form', start);
  const end = body.indexOf('</form>', start);
  const form = body.slice(formStart, end);
  const action = /action="([^"]*)"/.exec(form)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const input of form.matchAll(/<input[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    if (name) fields[name] = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
  }
  return { action, fields };
}

/** The href of the first link whose text includes `text`. */
export function linkTo(body: string, text: string): string {
  for (const a of body.matchAll(/<a[^>]*href="([^"]*)"[^>]*>([^<]*)<\/a>/g))
    if (a[2]!.includes(text)) return a[1]!.replace(/&#38;/g, '&');
  throw new Error(`no link "${text}" in the page: ${body.slice(0, 300)}`);
}
