import { randomBytes } from 'node:crypto';
import type { Clock } from '../core/clock.ts';

/** The cookie a logged-in browser carries. */
export const SESSION_COOKIE = 'sim_session';

/** How long a login and a form's token last. */
const SESSION_MS = 12 * 3600_000;
const FORM_TOKEN_MS = 30 * 60_000;

/** The authorize request a login and consent page carry forward. */
export interface AuthorizeRequest {
  readonly clientId: string;
  readonly redirectUri: string;
  readonly scopes: readonly string[];
  readonly state: string;
  readonly nonce: string | undefined;
  readonly codeChallenge: string | undefined;
  readonly locale: string;
}

const id = () => randomBytes(24).toString('base64url');

/**
 * Browser sessions of the login pages and the one-time tokens their forms carry: a form's token
 * is bound to the session (or to no session, for the login form) and works once.
 */
export class Sessions {
  private readonly sessions = new Map<string, { accountId: string; authTime: number; expiresAt: number }>();
  private readonly formTokens = new Map<string, { session: string | undefined; expiresAt: number }>();
  private readonly requests = new Map<string, { request: AuthorizeRequest; expiresAt: number }>();

  private readonly clock: Clock;

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Logs an account in; returns the session id for the cookie. */
  create(accountId: string): string {
    const session = id();
    const now = this.clock();
    this.sessions.set(session, { accountId, authTime: now, expiresAt: now + SESSION_MS });
    return session;
  }

  /** The logged-in account and login time for a session cookie. */
  lookup(session: string | undefined): { accountId: string; authTime: number } | undefined {
    const found = session ? this.sessions.get(session) : undefined;
    if (!found || this.clock() >= found.expiresAt) return undefined;
    return found;
  }

  /** A one-time token for a form shown to `session`. */
  formToken(session: string | undefined): string {
    const token = id();
    this.formTokens.set(token, { session, expiresAt: this.clock() + FORM_TOKEN_MS });
    return token;
  }

  /** True, once, for a token made for this session and not expired. */
  useFormToken(token: string | undefined, session: string | undefined): boolean {
    const found = token ? this.formTokens.get(token) : undefined;
    if (!found || !token) return false;
    this.formTokens.delete(token);
    return found.session === session && this.clock() < found.expiresAt;
  }

  /** Keeps an authorize request while its pages are shown; returns its id. */
  saveRequest(request: AuthorizeRequest): string {
    const requestId = id();
    this.requests.set(requestId, { request, expiresAt: this.clock() + FORM_TOKEN_MS });
    return requestId;
  }

  /** The authorize request behind a page. */
  request(requestId: string | undefined): AuthorizeRequest | undefined {
    const found = requestId ? this.requests.get(requestId) : undefined;
    return found && this.clock() < found.expiresAt ? found.request : undefined;
  }

  /** Forgets an authorize request once it ended. */
  endRequest(requestId: string): void {
    this.requests.delete(requestId);
  }
}
