import { z } from 'zod';
import { githubCredentials, gitlabCredentials, oidcCredentials } from '../auth/upstream/provider-settings.ts';

/** A required setting whose message names the variable that sets it; the value itself is never shown. */
function required(what: string, variable: string) {
  return z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? `is required: ${what}; set ${variable} (or this key in the config file)`
          : 'must be a string',
    })
    .trim()
    .min(1, `must not be empty: ${what}; set ${variable}`);
}

/**
 * Upstream login providers for the whole gateway (`login:` in the config file, or `GITHUB_CLIENT_ID`
 * and friends). A route's own apps use `providerCredentials` from `src/auth/upstream/provider-settings.ts`.
 */
export const loginConfig = z
  .object({
    github: githubCredentials
      .extend({
        clientId: required("the GitHub OAuth app's client ID", 'GITHUB_CLIENT_ID'),
        clientSecret: required("the GitHub OAuth app's client secret", 'GITHUB_CLIENT_SECRET'),
      })
      .optional(),
    gitlab: gitlabCredentials
      .extend({
        clientId: required("the GitLab application's ID", 'GITLAB_CLIENT_ID'),
        clientSecret: required("the GitLab application's secret", 'GITLAB_CLIENT_SECRET'),
      })
      .optional(),
    oidc: oidcCredentials
      .extend({
        issuer: oidcCredentials.shape.issuer,
        clientId: required("the OIDC client's ID", 'GATEHOUSE_OIDC_CLIENT_ID'),
        clientSecret: required("the OIDC client's secret", 'GATEHOUSE_OIDC_CLIENT_SECRET'),
      })
      .optional(),
  })
  .strict()
  .default({});

/** The login settings after validation. */
export type LoginConfig = z.infer<typeof loginConfig>;
