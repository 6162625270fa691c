import assert from 'node:assert/strict';

/** An answer as a test looks at it: redirects are not followed. */
export interface Answer {
  readonly status: number;
  readonly location: string | undefined;
  readonly text: string;
  readonly headers: Headers;
}

/** A browser for HTTP tests: one cookie jar (by host, as browsers keep them), redirects by hand. */
export class TestBrowser {
  readonly #cookies = new Map<string, Map<string, string>>();

  /** The cookies kept for `url`'s host. */
  cookiesFor(url: string): Map<string, string> {
    const host = new URL(url).hostname;
    const jar = this.#cookies.get(host) ?? new Map<string, string>();
    this.#cookies.set(host, jar);
    return jar;
  }

  /** Sends a request with the jar's cookies and keeps the ones set. */
  async send(
    url: string,
    init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const jar = this.cookiesFor(url);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(url, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...init.headers,
      },
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const removed = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (removed) jar.delete(name);
      else jar.set(name, value);
    }
    const location = res.headers.get('location') ?? undefined;
    return {
      status: res.status,
      location: location ? new URL(location, url).toString() : undefined,
      text: await res.text(),
      headers: res.headers,
    };
  }
}

function hiddenField(html: string, name: string): string {
  const match =
    new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html) ??
    new RegExp(`value="([^"]*)"[^>]*name="${name}"`).exec(html);
  assert.ok(match, `the page has a ${name} field:\n${html}`);
  return match[1]!.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
}

/** Signs in at the simulator's authorize page and answers its consent page; resolves with the redirect back. */
export async function consentAtSimulator(
  browser: TestBrowser,
  authorizeUrl: string,
  options: { email?: string; password?: string; decision?: 'allow' | 'deny' } = {},
): Promise<string> {
  const origin = new URL(authorizeUrl).origin;
  const login = await browser.send(authorizeUrl);
  assert.equal(login.status, 200, login.text);
  const consent = await browser.send(`${origin}/oauth2/v3/authorize/login`, {
    form: {
      request_id: hiddenField(login.text, 'request_id'),
      form_token: hiddenField(login.text, 'form_token'),
      email: options.email ?? 'driver@example.com',
      password: options.password ?? 'tesla',
    },
  });
  assert.equal(consent.status, 200, consent.text);
  const back = await browser.send(`${origin}/oauth2/v3/authorize/consent`, {
    form: {
      request_id: hiddenField(consent.text, 'request_id'),
      form_token: hiddenField(consent.text, 'form_token'),
      decision: options.decision ?? 'allow',
    },
  });
  assert.ok(back.location, `the consent page sends the browser back: ${back.status} ${back.text}`);
  return back.location;
}

/** Starts a login at `{base}/login` and resolves with the URL Tesla sends the browser back to. */
export async function loginAtSimulator(
  browser: TestBrowser,
  base: string,
  options: Parameters<typeof consentAtSimulator>[2] = {},
): Promise<string> {
  const start = await browser.send(`${base}/login`);
  assert.equal(start.status, 302, start.text);
  return consentAtSimulator(browser, start.location!, options);
}

/** The whole login: the callback followed to the report page's answer. */
export async function logIn(
  browser: TestBrowser,
  base: string,
  options: Parameters<typeof consentAtSimulator>[2] = {},
): Promise<Answer> {
  const callback = await browser.send(await loginAtSimulator(browser, base, options));
  assert.equal(callback.status, 302, callback.text);
  assert.equal(callback.location, `${base}/report`);
  return callback;
}

/** The CSRF token of a report page's forms. */
export function csrfOf(html: string): string {
  return hiddenField(html, 'csrf');
}
