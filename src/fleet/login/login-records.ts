import type { ExpiringSpec } from '../../store/expiring.ts';
import type { VehicleReport } from './vehicle-report.ts';

/** A login under way: what the callback needs, kept 10 minutes and taken once. */
export interface LoginState {
  readonly verifier: string;
  /** SHA-256 (hex) of the login cookie of the browser that started the login. */
  readonly browserHash: string;
  readonly redirectUri: string;
  readonly region: string;
  readonly createdAt: number;
}

/** A logged-in browser: the account it speaks for and its CSRF token. */
export interface LoginSession {
  readonly accountId: string;
  readonly csrf: string;
  readonly createdAt: number;
}

/** The lease of the node refreshing an account's tokens. */
export interface RefreshLease {
  readonly owner: string;
  readonly since: number;
}

/** Login states, scoped by route id, keyed by `state`. */
export const LOGIN_STATES: ExpiringSpec<LoginState> = { name: 'fleet-login-state' };
/** Sessions, scoped by route id, keyed by the SHA-256 of the session id their cookie carries sealed. */
export const LOGIN_SESSIONS: ExpiringSpec<LoginSession> = { name: 'fleet-login-session' };
/** Reports, scoped by route id, keyed like their session. */
export const LOGIN_REPORTS: ExpiringSpec<VehicleReport> = { name: 'fleet-login-report' };
/** Refresh leases, keyed by account id: one refresh per account at a time across nodes. */
export const REFRESH_LEASES: ExpiringSpec<RefreshLease> = { name: 'fleet-login-refresh' };

/** How long a login state lives. */
export const LOGIN_STATE_TTL_MS = 10 * 60_000;
