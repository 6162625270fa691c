import type { UpstreamProvider } from './identity.ts';

/**
 * Which upstream providers, and whose OAuth apps, a login may go through. A protected route can
 * bring its own apps and narrow the choice; the authorization server asks per request.
 */
export interface LoginProviders {
  /**
   * The providers a login for these resource URLs offers, in the order a login page lists them:
   * those every resource accepts. No resources (a plain OpenID client): the global providers.
   */
  forResources(resources: readonly string[]): readonly UpstreamProvider[];
}

/** The same providers for every resource: a gateway without per-route apps, and tests. */
export function fixedLoginProviders(providers: readonly UpstreamProvider[]): LoginProviders {
  return { forResources: () => providers };
}

/** The resource URLs of a request parameter, which is absent, one string or several. */
export function resourcesOf(param: unknown): string[] {
  return (Array.isArray(param) ? param : [param]).filter((r): r is string => typeof r === 'string');
}
