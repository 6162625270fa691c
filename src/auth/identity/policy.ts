import { pathHasPrefix } from '../../http/request-target.ts';
import { type AccessMatcher, parseMatcher } from '../../routes/access-matcher.ts';
import type { RouteAuthSettings } from '../../routes/route-auth-settings.ts';
import { USERNAME_PROVIDERS } from './identity.ts';

/**
 * What policies look at in a person: the fields of `UpstreamIdentity` that matchers read. A
 * verified token's claims give the same fields, so a guard evaluates from the token alone.
 */
export interface IdentityLike {
  readonly provider: string;
  readonly login: string;
  /** Verified only. */
  readonly email?: string | undefined;
  readonly orgs: readonly string[];
  readonly teams: readonly string[];
  readonly groups: readonly string[];
  readonly claims: Readonly<Record<string, unknown>>;
}

/** The part of a route's auth the evaluator reads. */
export type AccessPolicy = Pick<RouteAuthSettings, 'allow' | 'scopes'>;

/** Whether an identity may pass, and the scopes it gets (none when it may not). */
export interface Evaluation {
  readonly allowed: boolean;
  readonly scopes: string[];
}

// Stored matchers are canonical strings; parse each once per process.
const parsed = new Map<string, AccessMatcher>();

function matcherOf(text: string): AccessMatcher | undefined {
  let m = parsed.get(text);
  if (!m) {
    const result = parseMatcher(text);
    if (typeof result === 'string') return undefined;
    m = result;
    if (parsed.size > 10_000) parsed.clear();
    parsed.set(text, m);
  }
  return m;
}

const lower = (list: readonly string[]) => list.map((s) => s.toLowerCase());

/** True when the identity is one the matcher names. */
export function matches(matcher: AccessMatcher, who: IdentityLike): boolean {
  switch (matcher.kind) {
    case 'anyone':
      return true;
    case 'user':
      if (who.provider.toLowerCase() !== matcher.provider) return false;
      // GitHub and GitLab logins ignore case; an OIDC sub is compared as the issuer wrote it.
      return USERNAME_PROVIDERS.has(matcher.provider)
        ? who.login.toLowerCase() === matcher.login
        : who.login === matcher.login;
    case 'email':
      return who.email?.toLowerCase() === matcher.email;
    case 'domain': {
      // The whole domain after the last @: sub.example.com is not example.com.
      const email = who.email?.toLowerCase();
      return email !== undefined && email.slice(email.lastIndexOf('@') + 1) === matcher.domain;
    }
    case 'github-org':
      return lower(who.orgs).includes(matcher.org);
    case 'github-team':
      return lower(who.teams).includes(matcher.team);
    case 'gitlab-group':
      // Exact: GitLab lists the subgroups a parent group's members inherit, so naming the parent
      // does not let in people who belong only to one of its subgroups.
      return lower(who.groups).includes(matcher.group);
    case 'claim':
      return claimHas(who.claims[matcher.name], matcher.value);
  }
}

/** A claim equals the value, or is an array containing it; strings exactly, numbers and booleans by text. */
function claimHas(claim: unknown, value: string): boolean {
  if (Array.isArray(claim)) return claim.some((item) => claimHas(item, value));
  if (typeof claim === 'string') return claim === value;
  if (typeof claim === 'number' || typeof claim === 'boolean') return String(claim) === value;
  return false;
}

/** True when any of the matcher strings names the identity; unparsable ones name nobody. */
export function anyMatches(matchers: readonly string[], who: IdentityLike): boolean {
  return matchers.some((text) => {
    const m = matcherOf(text);
    return m !== undefined && matches(m, who);
  });
}

/**
 * The claims a policy's `claim:` matchers read. Tokens for the resource carry these of the
 * person's claims, so the route evaluates with the facts the authorization server had.
 */
export function claimNames(policy: AccessPolicy): string[] {
  const names = new Set<string>();
  for (const text of [...policy.allow, ...Object.values(policy.scopes).flat()]) {
    const m = matcherOf(text);
    if (m?.kind === 'claim') names.add(m.name);
  }
  return [...names].sort();
}

/** The claims of `claims` that `names` lists (own properties only). */
export function pickClaims(
  claims: Readonly<Record<string, unknown>>,
  names: readonly string[],
): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const name of names) if (Object.hasOwn(claims, name)) picked[name] = claims[name];
  return picked;
}

/** Whether the identity may use the route, and which of its scopes it gets, sorted. */
export function evaluate(policy: AccessPolicy, who: IdentityLike): Evaluation {
  if (!anyMatches(policy.allow, who)) return { allowed: false, scopes: [] };
  const scopes = Object.entries(policy.scopes)
    .filter(([, names]) => anyMatches(names, who))
    .map(([scope]) => scope)
    .sort();
  return { allowed: true, scopes };
}

/** The scopes a path needs: those of the longest `require` prefix it lies under; none when none does. */
export function requiredScopes(policy: Pick<RouteAuthSettings, 'require'>, path: string): string[] {
  let best: { path: string; scopes: readonly string[] } | undefined;
  for (const r of policy.require)
    if (pathHasPrefix(path, r.path) && (!best || r.path.length > best.path.length)) best = r;
  return best ? [...best.scopes] : [];
}

/** True when the path lies under one of the route's public prefixes (segment boundaries). */
export function isPublicPath(policy: Pick<RouteAuthSettings, 'public'>, path: string): boolean {
  return policy.public.some((prefix) => pathHasPrefix(path, prefix));
}

/** The required scopes the granted ones lack. */
export function missingScopes(required: readonly string[], granted: readonly string[]): string[] {
  return required.filter((scope) => !granted.includes(scope));
}
