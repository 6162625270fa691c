import { ConfigError } from '../../core/config-error.ts';
import { type AccessMatcher, parseMatcher } from '../../routes/access-matcher.ts';
import type { UpstreamIdentity } from './identity.ts';
import { matches } from './policy.ts';

/** An admin as `--admin-users` names one: the provider id and the person there. */
export type AdminUser = Extract<AccessMatcher, { kind: 'user' }>;

/**
 * Parses `--admin-users github:alice,gitlab:bob,oidc:<sub>` with the rules of route policies:
 * GitHub and GitLab logins compare without case, an OIDC issuer's people are named by their `sub`.
 * Throws `CONFIG_INVALID` naming the entry that is not `<provider>:<login>`.
 */
export function parseAdminUsers(text: string | readonly string[] | undefined): AdminUser[] {
  const entries = (typeof text === 'string' ? text.split(',') : (text ?? []))
    .map((e) => e.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    const matcher = parseMatcher(entry);
    if (typeof matcher === 'string' || matcher.kind !== 'user')
      throw new ConfigError(
        `--admin-users entry "${entry}" must be <provider>:<login>, as in github:alice,gitlab:bob,oidc:<sub>`,
        { field: 'adminUsers' },
      );
    return matcher;
  });
}

/** True when the identity is one of the admins. */
export function isAdmin(admins: readonly AdminUser[], identity: UpstreamIdentity): boolean {
  return admins.some((admin) => matches(admin, identity));
}
