import { createHash, timingSafeEqual } from 'node:crypto';
import { errors as joseErrors, jwtVerify } from 'jose';
import type { Clock } from '../../core/clock.ts';
import { DashboardError } from './dashboard-error.ts';

/** What a dashboard token lets its holder see. */
export interface DashboardAccess {
  /** The VINs it may see; `all` for the shared token itself. */
  readonly vins: ReadonlySet<string> | 'all';
  /** When the access ends (a JWT's `exp`), ms since the epoch; unset for the shared token. */
  readonly expiresAt: number | undefined;
  /**
   * Aborted when whoever granted the access withdraws it (a Tesla login that ended): the socket
   * closes with 4401 and the abort's reason. Unset for tokens, which end by `expiresAt` alone.
   */
  readonly ended?: AbortSignal | undefined;
}

/** The environment variable that sets the dashboard's token, as messages name it. */
export const DASHBOARD_TOKEN_ENV = 'DASHBOARD_TOKEN';

const HOW_TO_CONNECT = `add ?token= with ${DASHBOARD_TOKEN_ENV} itself or an HS256 JWT signed with it`;

/** The `token` query parameter of a request's search (`?token=…`), when there is one. */
export function tokenFromSearch(search: string): string | undefined {
  return new URLSearchParams(search).get('token') || undefined;
}

/**
 * Checks a dashboard token: the shared `DASHBOARD_TOKEN` (compared in constant time), or an HS256
 * JWT signed with it that expires and lists the VINs it may see in a `vins` claim. Throws a
 * {@link DashboardError} naming what was wrong; the token itself never appears in it.
 */
export async function authorizeDashboard(
  token: string | undefined,
  secret: string | undefined,
  clock: Clock,
): Promise<DashboardAccess> {
  if (!secret)
    throw new DashboardError(
      'FLEET_DASHBOARD_TOKEN_UNSET',
      `The dashboard is off: set ${DASHBOARD_TOKEN_ENV} (or GATEHOUSE_DASHBOARD_TOKEN) to a secret of 16 or more characters and restart.`,
    );
  if (!token) throw invalid(`No token: ${HOW_TO_CONNECT}.`);
  if (sameSecret(token, secret)) return { vins: 'all', expiresAt: undefined };
  if (token.split('.').length !== 3)
    throw invalid(`The token is neither ${DASHBOARD_TOKEN_ENV} nor a JWT: ${HOW_TO_CONNECT}.`);
  return verifyJwt(token, secret, clock);
}

async function verifyJwt(token: string, secret: string, clock: Clock): Promise<DashboardAccess> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, new TextEncoder().encode(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['exp'],
      currentDate: new Date(clock()),
    }));
  } catch (error) {
    throw invalid(jwtProblem(error));
  }
  const vins = payload['vins'];
  if (!Array.isArray(vins) || !vins.every((v) => typeof v === 'string' && v.length > 0))
    throw invalid(
      'The JWT has no usable vins claim: list the VINs it may see, e.g. "vins": ["5YJ3E1EA7KF000001"].',
    );
  return { vins: new Set(vins as string[]), expiresAt: (payload['exp'] as number) * 1000 };
}

function jwtProblem(error: unknown): string {
  if (error instanceof joseErrors.JWTExpired) return 'The JWT has expired: issue a new one.';
  if (error instanceof joseErrors.JWTClaimValidationFailed)
    return error.claim === 'exp'
      ? 'The JWT has no exp claim: dashboard JWTs must expire.'
      : `The JWT's ${error.claim} claim is not valid now.`;
  if (error instanceof joseErrors.JOSEAlgNotAllowed) return 'The JWT must be signed with HS256.';
  if (error instanceof joseErrors.JWSSignatureVerificationFailed)
    return `The JWT is not signed with ${DASHBOARD_TOKEN_ENV}.`;
  return `The token is not a valid JWT: ${HOW_TO_CONNECT}.`;
}

/** Constant time whatever the lengths: both sides are hashed first. */
function sameSecret(given: string, secret: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(given), digest(secret));
}

function invalid(message: string): DashboardError {
  return new DashboardError('FLEET_DASHBOARD_TOKEN_INVALID', message);
}
