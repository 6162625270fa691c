import { request } from 'undici';

/** One answer the browser got, after following no redirect. */
export interface BrowserAnswer {
  readonly url: URL;
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

/**
 * A browser in miniature for HTTP tests, the one every HTTP login test walks with: keeps cookies
 * per host (host-only, as Gatehouse sets them; paths are not told apart, so a host's cookies all go
 * with each request), posts forms, follows redirects across hosts (stopping where told), and reaches every host name on this machine (names under
 * `.test`, `localhost` and the names under it) at 127.0.0.1 with the name as the Host header. Enough to walk login
 * flows; Chromium tests cover what only a real browser shows.
 */
export class HttpBrowser {
  readonly #jar = new Map<string, Map<string, string>>();
  /**
   * Where a URL on this machine is sent, when not at its own port: a test standing in for a
   * load balancer (several nodes behind one https name) sets it, with the headers that proxy adds.
   */
  via: ((url: URL) => { port: number; headers?: Record<string, string> } | undefined) | undefined;
  /** Every URL visited, in order: what the flow went through. */
  readonly visited: URL[] = [];

  /** The cookies kept for a host, by name. */
  cookies(host: string): ReadonlyMap<string, string> {
    return this.#jar.get(host) ?? new Map();
  }

  /** Sets a cookie as if a page had set it (a test planting one). */
  setCookie(host: string, name: string, value: string): void {
    const jar = this.#jar.get(host) ?? new Map<string, string>();
    jar.set(name, value);
    this.#jar.set(host, jar);
  }

  #keep(host: string, setCookie: string | string[] | undefined): void {
    for (const line of [setCookie ?? []].flat()) {
      const [pair = '', ...attributes] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      const gone = attributes.some((a) => /^max-age=0$/i.test(a)) || value === '';
      const jar = this.#jar.get(host) ?? new Map<string, string>();
      if (gone) jar.delete(name);
      else jar.set(name, value);
      this.#jar.set(host, jar);
    }
  }

  /** One request, no redirect followed. */
  async send(
    target: string | URL,
    init: { method?: string; body?: string; headers?: Record<string, string> } = {},
  ): Promise<BrowserAnswer> {
    const url = new URL(target);
    this.visited.push(url);
    const local = /(^|\.)localhost$|\.test$/.test(url.hostname);
    const through = local ? this.via?.(url) : undefined;
    const address = through
      ? `http://127.0.0.1:${through.port}${url.pathname}${url.search}`
      : local
        ? `${url.protocol}//127.0.0.1:${url.port || 80}${url.pathname}${url.search}`
        : url.href;
    const jar = this.#jar.get(url.hostname);
    const cookie = jar && jar.size > 0 ? [...jar].map(([n, v]) => `${n}=${v}`).join('; ') : undefined;
    const res = await request(address, {
      method: (init.method ?? 'GET') as 'GET',
      headers: {
        accept: 'text/html',
        ...(local ? { host: url.host } : {}),
        ...through?.headers,
        ...(cookie ? { cookie } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...init.headers,
      },
      ...(init.body !== undefined ? { body: init.body } : {}),
    });
    this.#keep(url.hostname, res.headers['set-cookie']);
    return { url, status: res.statusCode, headers: res.headers, text: await res.body.text() };
  }

  /**
   * A request (a form posted when `form` is given), then every redirect it leads to (at most 20),
   * as a browser would; gives the last answer. `stop` ends the walk at a redirect whose target it
   * accepts (an OAuth client's redirect URI), which is then the answer's URL, not fetched.
   */
  async navigate(target: string | URL, init: NavigateInit = {}): Promise<BrowserAnswer> {
    const { form, stop, ...sent } = init;
    let answer = await this.send(
      target,
      form ? { method: 'POST', ...sent, body: new URLSearchParams(form).toString() } : sent,
    );
    for (let hops = 0; hops < 20; hops++) {
      const location = answer.headers['location'];
      if (answer.status < 300 || answer.status >= 400 || typeof location !== 'string') return answer;
      const next = new URL(location, answer.url);
      if (stop?.(next)) return { ...answer, url: next, text: '' };
      answer = await this.send(next);
    }
    throw new Error(`more than 20 redirects from ${String(target)}`);
  }
}

/** What {@link HttpBrowser.navigate} sends: a request, or a form to post, and where to stop. */
export interface NavigateInit {
  readonly method?: string;
  readonly body?: string;
  readonly headers?: Record<string, string>;
  /** Posted as `application/x-www-form-urlencoded` (method POST unless given). */
  readonly form?: Record<string, string>;
  readonly stop?: (next: URL) => boolean;
}
