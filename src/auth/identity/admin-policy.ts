import { ConfigError } from '../../core/config-error.ts';
import type { UpstreamIdentity } from './identity.ts';

/** An admin as `--admin-users` names one: the provider id and the login there. */
export interface AdminUser {
  readonly provider: string;
  readonly login: string;
}

/**
 * Parses `--admin-users github:alice,gitlab:bob`; logins compare case-insensitively (GitHub's and
 * GitLab's do). Throws `CONFIG_INVALID` naming the entry that is not `<provider>:<login>`.
 */
export function parseAdminUsers(text: string | readonly string[] | undefined): AdminUser[] {
  const entries = (typeof text === 'string' ? text.split(',') : (text ?? []))
    .map((e) => e.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    const match = /^([a-z][a-z0-9-]*):([^\s:,]+)$/i.exec(entry);
    if (!match)
      throw new ConfigError(
        `--admin-users entry "${entry}" must be <provider>:<login>, as in github:alice,gitlab:bob`,
        { field: 'adminUsers' },
      );
    return { provider: match[1]!.toLowerCase(), login: match[2]!.toLowerCase() };
  });
}

/** True when the identity is one of the admins. */
export function isAdmin(admins: readonly AdminUser[], identity: UpstreamIdentity): boolean {
  return admins.some((a) => a.provider === identity.provider && a.login === identity.login.toLowerCase());
}
