import type { UpstreamIdentity } from './identity.ts';

/** What a protected resource (a route, the admin API) grants one identity. */
export interface ResourceGrant {
  readonly audience: string;
  readonly scopes: readonly string[];
  /** The identity's claims the resource's policy reads (its `claim:` matchers); its tokens carry them. */
  readonly claims?: Readonly<Record<string, unknown>>;
}
/** Given an absolute resource URL, the identity and the client asking, what it grants; undefined = not a resource we protect (invalid_target); `{ denied: reason }` = this identity may not use it (access_denied). */
export type ResourcePolicy = (
  resource: URL,
  identity: UpstreamIdentity,
  clientId?: string,
) => Promise<ResourceGrant | { readonly denied: string } | undefined>;

/** True when the policy's answer refuses the identity. */
export function isDenied(
  answer: ResourceGrant | { readonly denied: string },
): answer is { readonly denied: string } {
  return 'denied' in answer;
}

/** The resource URL as tokens name it: no trailing slash, no fragment (`https://h/` → `https://h`). */
export function normalizeResource(resource: URL): string {
  const url = new URL(resource.href);
  url.hash = '';
  return url.href.replace(/\/$/, '');
}
