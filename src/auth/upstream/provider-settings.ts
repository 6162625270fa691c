import { z } from 'zod';

/** Hosts a provider may be reached at over plain HTTP: this machine only (stand-ins, local GitLab). */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A provider's base URL: https, or http on a loopback host, with no query or fragment. The trailing
 * slash is dropped so paths are joined one way (`${url}/login/oauth/authorize`).
 */
export const providerBaseUrl = z
  .string()
  .trim()
  .superRefine((value, ctx) => {
    if (!URL.canParse(value)) {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute URL such as https://github.example.com' });
      return;
    }
    const url = new URL(value);
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname)))
      ctx.addIssue({
        code: 'custom',
        message: 'must be an https:// URL (http:// is accepted for localhost and 127.0.0.1 only)',
      });
    else if (url.search || url.hash || url.username || url.password)
      ctx.addIssue({ code: 'custom', message: 'must not carry a query, a fragment or credentials' });
  })
  .transform((value) => value.replace(/\/+$/, ''));

const clientId = z
  .string({
    error: (issue) => (issue.input === undefined ? "is required: the OAuth app's client ID" : undefined),
  })
  .trim()
  .min(1, "must not be empty: give the OAuth app's client ID");

// Messages never echo the value: it is a secret.
const clientSecret = z
  .string({
    error: (issue) =>
      issue.input === undefined ? "is required: the OAuth app's client secret" : 'must be a string',
  })
  .min(1, "must not be empty: give the OAuth app's client secret");

/** A GitHub OAuth app; `url`/`apiUrl` point at GitHub Enterprise Server (`https://HOST`, `https://HOST/api/v3`). */
export const githubCredentials = z
  .object({
    clientId,
    clientSecret,
    /** Where users log in; default `https://github.com`. */
    url: providerBaseUrl.optional(),
    /** The REST API; default `https://api.github.com`, or `<url>/api/v3` when only `url` is given. */
    apiUrl: providerBaseUrl.optional(),
  })
  .strict();

/** A GitLab OAuth application; `url` points at a self-managed GitLab (default `https://gitlab.com`). */
export const gitlabCredentials = z
  .object({ clientId, clientSecret, url: providerBaseUrl.optional() })
  .strict();

/** A generic OpenID Connect issuer, discovered from its `/.well-known/openid-configuration`. */
export const oidcCredentials = z
  .object({
    issuer: providerBaseUrl,
    clientId,
    clientSecret,
    /** Its name in policies (`oidc:<sub>`) and its callback path; `oidc` by default. */
    id: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9-]{0,30}$/, 'must be a short lower-case name such as oidc or acme-sso')
      .refine(
        (id) => id !== 'github' && id !== 'gitlab',
        'must not be github or gitlab: those name their own logins',
      )
      .optional(),
    /** Its button on the login page; the issuer's host by default. */
    label: z.string().trim().min(1).max(100).optional(),
    /** Scopes asked for, space-separated; `openid profile email offline_access` by default. */
    scopes: z.string().trim().min(1).optional(),
  })
  .strict();

/** A route's own provider apps (seed 002: each proxy can have its own GitHub app); same shape as the global ones. */
export const providerCredentials = z
  .object({ github: githubCredentials.optional(), gitlab: gitlabCredentials.optional() })
  .strict();

export type GithubCredentials = z.infer<typeof githubCredentials>;
export type GitlabCredentials = z.infer<typeof gitlabCredentials>;
export type OidcCredentials = z.infer<typeof oidcCredentials>;
export type ProviderCredentials = z.infer<typeof providerCredentials>;

/** The global login settings: GitHub, GitLab and an OIDC issuer, each optional. */
export interface LoginSettings extends ProviderCredentials {
  readonly oidc?: OidcCredentials | undefined;
}

/** Base URLs of GitHub (or an Enterprise Server) after defaults. */
export function githubUrls(credentials: Pick<GithubCredentials, 'url' | 'apiUrl'>): {
  readonly url: string;
  readonly apiUrl: string;
} {
  const url = credentials.url ?? 'https://github.com';
  const apiUrl =
    credentials.apiUrl ?? (url === 'https://github.com' ? 'https://api.github.com' : `${url}/api/v3`);
  return { url, apiUrl };
}

/** Base URL of GitLab after its default. */
export function gitlabUrl(credentials: Pick<GitlabCredentials, 'url'>): string {
  return credentials.url ?? 'https://gitlab.com';
}
