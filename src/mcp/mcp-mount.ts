import { METADATA_PATH } from '../auth/route/protected-resource-metadata.ts';
import type { Mount } from '../routes/mount.ts';
import { MCP_PATH, type mcpEndpoint } from './mcp-endpoint.ts';

/** The metadata of `/mcp` (RFC 9728 section 3.1), and the root form clients try next. */
export const MCP_METADATA_PATHS = [`${METADATA_PATH}${MCP_PATH}`, METADATA_PATH] as const;

/** Gatehouse's MCP server and its metadata, mounted on the admin hosts. */
export function mcpMount(endpoint: ReturnType<typeof mcpEndpoint>): Mount {
  return {
    kind: 'mcp',
    hosts: 'admin',
    paths: { exact: [MCP_PATH, ...MCP_METADATA_PATHS] },
    request: (exchange) => endpoint.request(exchange, exchange.target.path !== MCP_PATH),
  };
}
