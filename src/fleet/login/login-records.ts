import { createHash, timingSafeEqual } from 'node:crypto';
import type { ExpiringSpec } from '../../store/expiring.ts';
import type { VehicleReport } from './vehicle-report.ts';

/** A login under way: what the callback needs, kept 10 minutes and taken once. */
export interface LoginState {
  readonly verifier: string;
  /** SHA-256 (hex) of the browser cookie that started the login. */
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
/** Sessions, scoped by route id, keyed by the hash of the session cookie. */
export const LOGIN_SESSIONS: ExpiringSpec<LoginSession> = { name: 'fleet-login-session' };
/** Reports, scoped by route id, keyed like their session. */
export const LOGIN_REPORTS: ExpiringSpec<VehicleReport> = { name: 'fleet-login-report' };
/** Refresh leases, keyed by account id: one refresh per account at a time across nodes. */
export const REFRESH_LEASES: ExpiringSpec<RefreshLease> = { name: 'fleet-login-refresh' };

/** How long a login state lives. */
export const LOGIN_STATE_TTL_MS = 10 * 60_000;

/** Hex SHA-256: what the store keeps instead of a cookie's value, so a store reader cannot use it. */
export function hashOf(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** True when two hex hashes are equal, in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
