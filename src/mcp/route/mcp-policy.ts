import { anyMatches, type IdentityLike } from '../../auth/identity/policy.ts';
import type { McpRouteSettings } from '../../routes/mcp-route-settings.ts';

/** What a caller may reach on an MCP route: tools, prompts and resources by name or pattern. */
export interface McpGrants {
  readonly tools: readonly string[];
  readonly prompts: readonly string[];
  readonly resources: readonly string[];
}

/** The union of the route's rules that name this person or one of their groups. */
export function grantsOf(settings: McpRouteSettings, who: IdentityLike): McpGrants {
  const rules = settings.access.filter((rule) => anyMatches(rule.who, who));
  return {
    tools: rules.flatMap((r) => r.tools),
    prompts: rules.flatMap((r) => r.prompts),
    resources: rules.flatMap((r) => r.resources),
  };
}

/** True when `name` is one of `patterns` (`*` all, `prefix*` a prefix, else exactly). */
export function nameAllowed(patterns: readonly string[], name: string): boolean {
  return patterns.some((p) => p === '*' || (p.endsWith('*') ? name.startsWith(p.slice(0, -1)) : p === name));
}

/** The grants a method's name is checked against, or undefined when the method names nothing to check. */
export function patternsFor(grants: McpGrants, method: string): readonly string[] | undefined {
  if (method === 'tools/call') return grants.tools;
  if (method === 'prompts/get') return grants.prompts;
  if (method.startsWith('resources/') && method !== 'resources/list' && method !== 'resources/templates/list')
    return grants.resources;
  return undefined;
}

/** Where a list answer keeps its items, the field that names each, and the grants that filter them. */
export function listFilterFor(
  grants: McpGrants,
  method: string,
): { readonly key: string; readonly field: string; readonly patterns: readonly string[] } | undefined {
  if (method === 'tools/list') return { key: 'tools', field: 'name', patterns: grants.tools };
  if (method === 'prompts/list') return { key: 'prompts', field: 'name', patterns: grants.prompts };
  if (method === 'resources/list') return { key: 'resources', field: 'uri', patterns: grants.resources };
  if (method === 'resources/templates/list')
    return { key: 'resourceTemplates', field: 'uriTemplate', patterns: grants.resources };
  return undefined;
}
