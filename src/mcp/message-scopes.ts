import { adminToolNamed } from './admin-tools.ts';
import { MCP_SCOPE, scopesFor } from './tool-kit.ts';

/** What a request body asks of `/mcp`: the scopes it needs, what for, and its JSON-RPC id. */
export interface ScopesNeeded {
  readonly scopes: readonly string[];
  readonly what: string;
  readonly id: unknown;
}

/**
 * The scopes a JSON-RPC body needs: `mcp` for anything, and `admin` too for a call to a tool that
 * changes something. Read from the body itself, which the SDK then checks the `Mcp-Method` and
 * `Mcp-Name` headers against, so no header can claim a read for a write.
 */
export function scopesNeeded(body: unknown): ScopesNeeded {
  const messages = Array.isArray(body) ? body : [body];
  let needed: ScopesNeeded = { scopes: [MCP_SCOPE], what: 'this request', id: null };
  for (const message of messages) {
    if (!message || typeof message !== 'object') continue;
    const { method, params, id } = message as { method?: unknown; params?: { name?: unknown }; id?: unknown };
    if (method !== 'tools/call' || typeof params?.name !== 'string') continue;
    const tool = adminToolNamed(params.name);
    if (tool && scopesFor(tool).length > needed.scopes.length)
      needed = { scopes: scopesFor(tool), what: `the tool ${tool.name}`, id: id ?? null };
  }
  return needed;
}
