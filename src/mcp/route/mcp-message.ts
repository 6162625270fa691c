import { createHash } from 'node:crypto';
import { GatehouseError } from '../../core/errors.ts';

/** JSON-RPC's code for a header that says something other than the body (MCP 2026-07-28 HeaderMismatch). */
export const HEADER_MISMATCH = -32020;

/** One JSON-RPC message of a request body, as policy and audit see it. */
export interface McpCall {
  readonly id: string | number | null;
  readonly method: string;
  /** The tool or prompt name, or the resource URI, the message is about. */
  readonly name: string | undefined;
  /** SHA-256 of the arguments as sent (hex), for the audit: never the arguments themselves. */
  readonly argumentsHash: string | undefined;
}

/** What the name of each method is, in its params. */
const NAME_PARAM: Readonly<Record<string, 'name' | 'uri'>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'resources/subscribe': 'uri',
  'resources/unsubscribe': 'uri',
};

/** The messages of a JSON-RPC body (one, or a batch); refuses what is not JSON-RPC. */
export function callsOf(body: unknown): McpCall[] {
  const messages = Array.isArray(body) ? body : [body];
  if (messages.length === 0) throw invalid('an empty batch');
  return messages.map((message) => {
    if (!message || typeof message !== 'object' || Array.isArray(message))
      throw invalid('a message that is not an object');
    const m = message as { id?: unknown; method?: unknown; params?: Record<string, unknown> };
    const id = typeof m.id === 'string' || typeof m.id === 'number' ? m.id : null;
    // A response the client posts (to a server's request) has no method: nothing to authorise.
    if (typeof m.method !== 'string') return { id, method: '', name: undefined, argumentsHash: undefined };
    const param = NAME_PARAM[m.method];
    const raw = param ? m.params?.[param] : undefined;
    const args = m.params?.['arguments'];
    return {
      id,
      method: m.method,
      name: typeof raw === 'string' ? raw : undefined,
      argumentsHash:
        args === undefined ? undefined : createHash('sha256').update(JSON.stringify(args)).digest('hex'),
    };
  });
}

function invalid(what: string): GatehouseError {
  return new GatehouseError('MCP_INVALID_MESSAGE', `the body is ${what}: send a JSON-RPC 2.0 request`);
}

/**
 * The `Mcp-Method` and `Mcp-Name` headers (2026-07-28) must say what the body says: an
 * intermediary authorises by them, so one that lies is refused (HeaderMismatch), as is a
 * 2026-07-28 call without the name its method needs.
 */
export function checkHeaders(headers: NodeJS.Dict<string | string[]>, calls: readonly McpCall[]): void {
  const method = header(headers, 'mcp-method');
  const name = header(headers, 'mcp-name');
  const modern = header(headers, 'mcp-protocol-version') === '2026-07-28';
  if (method === undefined && name === undefined && !modern) return;
  if (calls.length !== 1)
    throw mismatch('Mcp-Method and Mcp-Name describe one message; a batch cannot carry them');
  const call = calls[0]!;
  if (method !== undefined && method !== call.method)
    throw mismatch(`Mcp-Method says ${method} but the body's method is ${call.method}`);
  if (modern && method === undefined && call.method !== '')
    throw mismatch(`Mcp-Method is missing; it must be ${call.method}, as the body says`);
  if (NAME_PARAM[call.method] === undefined) return;
  if (name === undefined) {
    if (modern)
      throw mismatch(
        `Mcp-Name is missing; ${call.method} needs it to be ${call.name ?? 'the name in the body'}`,
      );
    return;
  }
  if (name !== call.name)
    throw mismatch(`Mcp-Name says ${name} but the body names ${call.name ?? 'nothing'}`);
}

function header(headers: NodeJS.Dict<string | string[]>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

function mismatch(message: string): GatehouseError {
  return new GatehouseError('MCP_HEADER_MISMATCH', message, { field: 'mcp-method' });
}
