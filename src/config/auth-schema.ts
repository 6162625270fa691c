import { z } from 'zod';
import { parseMatcher } from '../routes/access-matcher.ts';
import { hostPattern } from '../routes/route.ts';
import { accessMatcher } from '../routes/route-auth-settings.ts';

const minutes = (max: number, fallback: number) => z.coerce.number().int().min(1).max(max).default(fallback);

/** A list from the config file, or a comma-separated one from a flag or the environment. */
const commaList = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((e) => e.trim())
            .filter(Boolean)
        : v,
    z.array(item),
  );

/** `<provider>:<login>` entries (`--admin-users`). */
/** `--admin-users`: people by `<provider>:<login>` (an OIDC issuer's by `sub`), parsed as route policies parse them. */
const adminUsers = commaList(
  z.string().superRefine((entry, ctx) => {
    const matcher = parseMatcher(entry);
    if (typeof matcher === 'string' || matcher.kind !== 'user')
      ctx.addIssue({
        code: 'custom',
        message: `each entry must be <provider>:<login>, as in github:alice or oidc:<sub>, not "${entry}"`,
      });
  }),
);

/** The authorization server (`auth:` in the config file): its host, admins and lifetimes. */
export const authConfig = z
  .object({
    /** `--auth-host`: where the authorization server answers; the `--domain` host by default. */
    host: hostPattern.refine((d) => !d.includes('*'), { message: 'must be a plain host name' }).optional(),
    /** `--admin-users github:alice,gitlab:bob`: who gets the admin API's `admin` scope. */
    adminUsers: adminUsers.default([]),
    /**
     * `--tunnel-users github-org:acme,…`: who may log in to this Gatehouse itself (the tunnels
     * page, `gatehouse login`), as a route's `allow` names people; administrators always may.
     */
    tunnelUsers: commaList(accessMatcher)
      .refine((list) => list.length > 0, 'name who may log in, or * for anyone')
      .default(['*']),
    /**
     * `GATEHOUSE_DEV_CIMD_CA`: development and tests only. Client ID Metadata Documents
     * may then be fetched from loopback and private addresses, over https this CA certifies.
     */
    devClientMetadataCa: z.string().min(1).optional(),
    accessTokenMinutes: minutes(24 * 60, 30),
    refreshTokenDays: minutes(3650, 365),
    sessionDays: minutes(365, 14),
    deviceCodeMinutes: minutes(60, 10),
  })
  .strict();

/** The `auth` settings after defaults. */
export type AuthConfig = z.infer<typeof authConfig>;
