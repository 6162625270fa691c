import type { Clock } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';
import { httpFailure, type ProviderFacts } from './login-errors.ts';

/** Pages followed for one list (GitHub's orgs or teams): 10 × 100 entries covers any real member. */
export const MAX_PAGES = 10;

/** Reads a provider's REST API with a user's token; failures are login `GatehouseError`s. */
export class ProviderApi {
  readonly #fetch: typeof fetch;
  readonly #facts: ProviderFacts;
  readonly #clock: Clock;
  readonly #headers: Readonly<Record<string, string>>;

  constructor(
    doFetch: typeof fetch,
    facts: ProviderFacts,
    clock: Clock,
    headers: Readonly<Record<string, string>> = {},
  ) {
    this.#fetch = doFetch;
    this.#facts = facts;
    this.#clock = clock;
    this.#headers = headers;
  }

  /** GETs `url` as JSON; a non-2xx answer is explained by its status. */
  async get(url: string, token: string): Promise<unknown> {
    return (await this.#get(url, token)).body;
  }

  /**
   * GETs every page of a list, following `Link: <…>; rel="next"` on the same origin only (a token is
   * never sent elsewhere), for at most {@link MAX_PAGES} pages.
   */
  async list(url: string, token: string): Promise<unknown[]> {
    const origin = new URL(url).origin;
    const items: unknown[] = [];
    let next: string | undefined = url;
    for (let page = 0; next !== undefined && page < MAX_PAGES; page++) {
      const { body, res } = await this.#get(next, token);
      if (!Array.isArray(body)) throw this.#notJson(next, 'a list');
      items.push(...body);
      next = nextLink(res.headers.get('link'));
      if (next !== undefined && new URL(next, url).origin !== origin) next = undefined;
      else if (next !== undefined) next = new URL(next, url).href;
    }
    return items;
  }

  async #get(url: string, token: string): Promise<{ body: unknown; res: Response }> {
    const place = `${new URL(url).origin}${new URL(url).pathname}`;
    const res = await this.#fetch(url, {
      headers: { accept: 'application/json', authorization: `Bearer ${token}`, ...this.#headers },
    });
    const text = await res.text();
    if (!res.ok) throw httpFailure(this.#facts, res, place, this.#clock, text);
    try {
      return { body: JSON.parse(text) as unknown, res };
    } catch {
      throw this.#notJson(place, 'JSON');
    }
  }

  #notJson(place: string, what: string): GatehouseError {
    return new GatehouseError(
      'LOGIN_PROVIDER_INVALID_ANSWER',
      `${this.#facts.label} answered ${place} with something other than ${what}; check its API URL in the login settings`,
    );
  }
}

/** The `rel="next"` target of a `Link` header (RFC 8288), if any. */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(',')) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (match && /(^|;)\s*rel="?([^";]*\s)?next(\s[^";]*)?"?\s*(;|$)/i.test(match[2]!)) return match[1];
  }
  return undefined;
}

/** A string field of an API object, or undefined. */
export function stringField(value: unknown, key: string): string | undefined {
  const field = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  return typeof field === 'string' ? field : undefined;
}

/** A field that must be there: its absence means the answer is not the provider's. */
export function requiredField(value: unknown, key: string, label: string, place: string): string {
  const field = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
  if (typeof field === 'string' && field !== '') return field;
  if (typeof field === 'number' && Number.isSafeInteger(field)) return String(field);
  throw new GatehouseError(
    'LOGIN_PROVIDER_INVALID_ANSWER',
    `${label} answered ${place} without "${key}"; check its API URL in the login settings`,
  );
}
