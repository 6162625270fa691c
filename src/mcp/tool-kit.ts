import { z } from 'zod';
import type { AdminService } from '../admin/admin-service.ts';
import type { AdminPrincipal } from '../auth/keys/admin-keys.ts';

/** The scope every tool needs: reading Gatehouse's state. */
export const MCP_SCOPE = 'mcp';
/** The scope a tool that changes anything needs besides {@link MCP_SCOPE}. */
export const WRITE_SCOPE = 'admin';

/** What a tool is told about who calls it. */
export interface ToolCaller {
  readonly principal: AdminPrincipal;
  readonly scopes: readonly string[];
}

/** How a tool behaves, as MCP annotations say it to a client deciding whether to ask first. */
export type ToolEffect = 'read' | 'create' | 'change' | 'delete';

/**
 * One MCP tool over the admin service: what a model reads to pick it and fill it in, the shape
 * of its answer, and the service call it makes.
 */
export interface AdminTool<I extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly effect: ToolEffect;
  /** True when it reaches beyond Gatehouse (a webhook replay sends to a developer's machine). */
  readonly openWorld?: boolean;
  readonly input: I;
  readonly output: O;
  /** The answer; the MCP SDK checks it against `output` before it leaves. */
  run(service: AdminService, args: z.output<I>, caller: ToolCaller): Promise<object>;
}

/** Declares a tool, keeping its input and output types tied to its handler. */
export function adminTool<I extends z.ZodObject, O extends z.ZodObject>(tool: AdminTool<I, O>): AdminTool {
  return tool as unknown as AdminTool;
}

/** The scopes a tool needs. */
export function scopesFor(tool: Pick<AdminTool, 'effect'>): readonly string[] {
  return tool.effect === 'read' ? [MCP_SCOPE] : [MCP_SCOPE, WRITE_SCOPE];
}

/** MCP's behaviour hints for a tool: nothing here reaches outside Gatehouse but a webhook replay. */
export function annotationsFor(tool: Pick<AdminTool, 'effect' | 'title' | 'openWorld'>) {
  return {
    title: tool.title,
    readOnlyHint: tool.effect === 'read',
    destructiveHint: tool.effect === 'delete' || tool.effect === 'change',
    idempotentHint: tool.effect !== 'create',
    openWorldHint: tool.openWorld === true,
  };
}

/** An object whose fields are listed by the schema and may carry more (the admin API's shape). */
export const record = <S extends z.ZodRawShape>(shape: S) => z.looseObject(shape);

/** A route as tools show it: its id, kind, host and path are certain; its other fields by kind. */
export const routeShape = record({
  id: z.string(),
  kind: z.string(),
  host: z.string(),
  path: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** A tunnel with its live state. */
export const tunnelShape = record({
  name: z.string(),
  url: z.string(),
  owner: z.string(),
  online: z.boolean(),
  connectedSince: z.string().nullable(),
});

/** An admin API key as listings show it (never its secret). */
export const keyShape = record({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  source: z.enum(['stored', 'environment']),
  inUse: z.boolean(),
  revokedAt: z.string().nullable(),
});

/** A route id argument. */
export const routeId = z.string().min(1).max(100).describe('The route id, as list_routes shows it');
/** A tunnel name argument. */
export const tunnelName = z
  .string()
  .min(1)
  .max(63)
  .describe('The tunnel name, as list_tunnels shows it (the first label of its public host)');
