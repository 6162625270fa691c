/**
 * Who a route's `auth` names, as strings an operator writes: `*`, `github:alice`, `email:a@b.com`,
 * `domain:example.com`, `github-org:acme`, `github-team:acme/ops`, `gitlab-group:acme/platform`,
 * `claim:role=admin`. Parsed once here so the schema refuses a bad one with the forms listed, and
 * the evaluator never re-parses.
 */
export type AccessMatcher =
  | { readonly kind: 'anyone' }
  | { readonly kind: 'user'; readonly provider: string; readonly login: string }
  | { readonly kind: 'email'; readonly email: string }
  | { readonly kind: 'domain'; readonly domain: string }
  | { readonly kind: 'github-org'; readonly org: string }
  | { readonly kind: 'github-team'; readonly team: string }
  | { readonly kind: 'gitlab-group'; readonly group: string }
  | { readonly kind: 'claim'; readonly name: string; readonly value: string };

/** The forms a matcher may take, for error messages and the docs. */
export const MATCHER_FORMS =
  '*, <provider>:<login> (github:alice, gitlab:bob, oidc:<sub>), email:a@example.com, ' +
  'domain:example.com, github-org:acme, github-team:acme/ops, gitlab-group:acme/platform, claim:<name>=<value>';

/** Prefixes with a meaning of their own; no provider may be called one of these. */
export const RESERVED_MATCHER_PREFIXES = [
  'email',
  'domain',
  'github-org',
  'github-team',
  'gitlab-group',
  'claim',
] as const;

/** A provider id as configured (`github`, `gitlab`, `oidc`, `okta`…). */
export const PROVIDER_ID = /^[a-z][a-z0-9-]{0,39}$/;
const LOGIN = /^[a-z0-9][a-z0-9._@-]{0,99}$/;
/** An OIDC `sub`: printable ASCII (OIDC Core), up to 255 characters; no comma, which separates list entries. */
const SUBJECT = /^[\x21-\x2b\x2d-\x7e]{1,255}$/;
/** Providers whose logins compare without case (GitHub's, GitLab's); an OIDC `sub` compares exactly. */
const CASELESS_LOGINS = new Set(['github', 'gitlab']);
const EMAIL = /^[^\s@]{1,64}@[a-z0-9-]+(\.[a-z0-9-]+)+$/;
const DOMAIN = /^(?!-)[a-z0-9-]{1,63}(\.(?!-)[a-z0-9-]{1,63})+$/;
const SLUG = /^[a-z0-9][a-z0-9._-]{0,99}$/;
const GROUP_PATH = /^[a-z0-9][a-z0-9._-]{0,99}(\/[a-z0-9][a-z0-9._-]{0,99}){0,19}$/;
const CLAIM_NAME = /^[A-Za-z0-9_.:-]{1,100}$/;

/** Parses one matcher; a string naming what is wrong and the accepted forms when it is not one. */
export function parseMatcher(text: string): AccessMatcher | string {
  const raw = text.trim();
  if (raw === '*') return { kind: 'anyone' };
  const colon = raw.indexOf(':');
  if (colon <= 0) return `"${raw}" is not a matcher; use one of: ${MATCHER_FORMS}`;
  const prefix = raw.slice(0, colon).toLowerCase();
  const rest = raw.slice(colon + 1);
  // Everything but claim values is compared case-insensitively: logins, orgs and emails are.
  const value = rest.trim().toLowerCase();
  const bad = (what: string) => `"${raw}": ${what}; use one of: ${MATCHER_FORMS}`;
  switch (prefix) {
    case 'email':
      return EMAIL.test(value) ? { kind: 'email', email: value } : bad('not an email address');
    case 'domain':
      return DOMAIN.test(value) ? { kind: 'domain', domain: value } : bad('not a domain name');
    case 'github-org':
      return SLUG.test(value) ? { kind: 'github-org', org: value } : bad('not a GitHub organisation');
    case 'github-team': {
      const [org, team, extra] = value.split('/');
      return org && team && extra === undefined && SLUG.test(org) && SLUG.test(team)
        ? { kind: 'github-team', team: value }
        : bad('a team is org/team-slug');
    }
    case 'gitlab-group':
      return GROUP_PATH.test(value) ? { kind: 'gitlab-group', group: value } : bad('not a GitLab group path');
    case 'claim': {
      const eq = rest.indexOf('=');
      const name = eq === -1 ? '' : rest.slice(0, eq);
      return CLAIM_NAME.test(name) && eq < rest.length - 1
        ? { kind: 'claim', name, value: rest.slice(eq + 1) }
        : bad('a claim matcher is claim:<name>=<value>');
    }
    default:
      if (!PROVIDER_ID.test(prefix)) return bad(`"${prefix}" is not a provider id`);
      if (CASELESS_LOGINS.has(prefix))
        return LOGIN.test(value) ? { kind: 'user', provider: prefix, login: value } : bad('not a user name');
      // Any other provider is an OIDC issuer: its people are named by their `sub`, exactly.
      return SUBJECT.test(rest.trim())
        ? { kind: 'user', provider: prefix, login: rest.trim() }
        : bad("not an OIDC subject (the issuer's sub claim)");
  }
}

/** The matcher's canonical text (lower-cased where comparison ignores case). */
export function matcherText(matcher: AccessMatcher): string {
  switch (matcher.kind) {
    case 'anyone':
      return '*';
    case 'user':
      return `${matcher.provider}:${matcher.login}`;
    case 'email':
      return `email:${matcher.email}`;
    case 'domain':
      return `domain:${matcher.domain}`;
    case 'github-org':
      return `github-org:${matcher.org}`;
    case 'github-team':
      return `github-team:${matcher.team}`;
    case 'gitlab-group':
      return `gitlab-group:${matcher.group}`;
    case 'claim':
      return `claim:${matcher.name}=${matcher.value}`;
  }
}
