import { z } from 'zod';
import { accessMatcher } from './route-auth-settings.ts';
import { headerName, headerValue, targetUrl } from './route-fields.ts';

/** A tool, prompt or resource name, or a pattern of them: `*` for all, `read_*` for a prefix. */
const namePattern = z.string().regex(/^[A-Za-z0-9_.:/-]{1,200}\*?$|^\*$/, {
  message: 'must be a tool, prompt or resource name, a prefix ending in *, or * for all',
});

/** Who may call what on an MCP route: people and groups, and the tools, prompts and resources they may. */
export const mcpAccessRule = z
  .object({
    /** People and groups, as `auth.allow` names them (`github:alice`, `oidc-group:staff`, `*`). */
    who: z.array(accessMatcher).min(1).max(500),
    tools: z.array(namePattern).max(500).default([]),
    prompts: z.array(namePattern).max(500).default([]),
    /** Resource URIs, or prefixes of them ending in `*`. */
    resources: z.array(z.string().min(1).max(2048)).max(500).default([]),
  })
  .strict();

/** One credential for everyone: a header, its value sealed when stored. */
const staticCredential = z
  .object({
    header: headerName.default('authorization'),
    /** The value (`Bearer sk-…`); stored sealed, shown as `(set)`, sent back as `(set)` to keep it. */
    value: headerValue.refine((v) => v.length > 0, 'must not be empty'),
  })
  .strict();

/**
 * Each person's own upstream login: Gatehouse is an OAuth client of the upstream's authorization
 * server (found through its RFC 9728 metadata), and keeps each person's tokens sealed.
 */
const perPersonCredential = z
  .object({
    oauth: z
      .object({
        /** The scopes to ask the upstream for; none: what its metadata advertises. */
        scopes: z
          .array(z.string().regex(/^[!#-[\]-~]{1,128}$/, 'must be a scope token'))
          .max(50)
          .optional(),
      })
      .strict(),
  })
  .strict();

/** What Gatehouse sends upstream in place of the caller's token. */
export const mcpCredential = z.union([staticCredential, perPersonCredential], {
  error:
    'give {"value": "…"} (one credential, optionally with "header") or {"oauth": {}} (each person logs in upstream)',
});

/** The `mcp` of an MCP route: its MCP server (a URL or a tunnel), the per-tool policy, the upstream credential. */
export const mcpRouteSettings = z
  .object({
    /** The MCP endpoint, path included (`https://mcp.internal/mcp`). */
    target: targetUrl.optional(),
    /** Or a tunnel: the endpoint is the path `path` at the agent's local server. */
    tunnel: z
      .string()
      .regex(/^(?!-)[a-z0-9-]{1,63}(?<!-)$/, { message: 'must be a tunnel name' })
      .optional(),
    /** The endpoint's path on the tunnel's local server (`/mcp`). */
    path: z
      .string()
      .regex(/^\/[^?#\s]*$/, { message: 'must be a path starting with /' })
      .default('/mcp'),
    access: z.array(mcpAccessRule).min(1).max(100),
    credential: mcpCredential.optional(),
  })
  .strict()
  .refine((m) => (m.target === undefined) !== (m.tunnel === undefined), {
    message: 'give exactly one of target and tunnel',
    path: ['target'],
  });

/** The `mcp` settings of a route. */
export type McpRouteSettings = z.infer<typeof mcpRouteSettings>;
