import { type AuthInfo, McpServer } from '@modelcontextprotocol/server';
import type { AdminService } from '../admin/admin-service.ts';
import { GatehouseError } from '../core/errors.ts';
import { VERSION } from '../core/version.ts';
import { CERTIFICATE_TOOLS } from './certificate-tools.ts';
import { GATEWAY_TOOLS } from './gateway-tools.ts';
import { REQUEST_TOOLS } from './request-tools.ts';
import { ROUTE_TOOLS } from './route-tools.ts';
import { type AdminTool, annotationsFor, scopesFor, type ToolCaller } from './tool-kit.ts';

/** Every tool of Gatehouse's own MCP server. None runs a command on the host: see docs/guides/mcp.md. */
export const ADMIN_TOOLS: readonly AdminTool[] = [
  ...GATEWAY_TOOLS,
  ...ROUTE_TOOLS,
  ...CERTIFICATE_TOOLS,
  ...REQUEST_TOOLS,
];

/** The tool of that name, if there is one. */
export function adminToolNamed(name: string): AdminTool | undefined {
  return ADMIN_TOOLS.find((t) => t.name === name);
}

/** How Gatehouse introduces itself to a model. */
const INSTRUCTIONS =
  'Gatehouse is a self-hosted edge gateway: routes send requests for a host and path to an upstream URL, a tunnel to a developer machine, or a static answer; tunnels and admin API keys carry secrets shown once. Read with the list_ and get_ tools before changing anything; changes take effect at once on every node.';

/** A tool's failure as MCP says it: a result the model reads, naming the code and the field. */
function toolError(error: unknown) {
  if (!(error instanceof GatehouseError)) throw error;
  const field = error.field ? ` (field: ${error.field})` : '';
  return {
    isError: true,
    content: [{ type: 'text' as const, text: `${error.code}: ${error.message}${field}` }],
  };
}

/**
 * A server with every admin tool, answering for one caller: the MCP SDK builds one per request
 * (2026-07-28) or per session (2025), and each tool calls the admin service as the HTTP API does.
 */
export function adminMcpServer(
  service: AdminService,
  caller: (authInfo: AuthInfo | undefined) => ToolCaller,
): McpServer {
  const server = new McpServer(
    { name: 'gatehouse', title: 'Gatehouse', version: VERSION },
    // Logging: 2025 clients may set a level (nothing is logged to them yet); 2026-07-28 has no setLevel.
    { instructions: INSTRUCTIONS, capabilities: { logging: {} } },
  );
  for (const tool of ADMIN_TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: annotationsFor(tool),
      },
      async (args: unknown, ctx: { http?: { authInfo?: AuthInfo } }) => {
        const who = caller(ctx.http?.authInfo);
        const missing = scopesFor(tool).filter((s) => !who.scopes.includes(s));
        if (missing.length > 0)
          return toolError(
            new GatehouseError('INSUFFICIENT_SCOPE', `${tool.name} needs the scope ${missing.join(' ')}`),
          );
        try {
          const structured = (await tool.run(service, args as never, who)) as Record<string, unknown>;
          return {
            structuredContent: structured,
            content: [{ type: 'text' as const, text: JSON.stringify(structured, null, 2) }],
          };
        } catch (error) {
          return toolError(error);
        }
      },
    );
  }
  return server;
}
