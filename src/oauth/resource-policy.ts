import type { ResourceGrant } from '../identity/resource-policy.ts';

export type { ResourceGrant, ResourcePolicy } from '../identity/resource-policy.ts';

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
