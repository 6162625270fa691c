import { z } from 'zod';
import { ADMIN_TOOLS } from '../../src/mcp/admin-tools.ts';
import { annotationsFor, scopesFor } from '../../src/mcp/tool-kit.ts';
import { code, page, table } from './markdown.ts';

/** A tool's arguments as one line each: name, JSON type, whether required, what it is. */
function argumentsOf(input: z.ZodObject): string[][] {
  const schema = z.toJSONSchema(input, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, { type?: string; description?: string }>;
    required?: string[];
  };
  return Object.entries(schema.properties ?? {}).map(([name, p]) => [
    code(name),
    p.type ?? 'any',
    schema.required?.includes(name) ? 'yes' : '',
    p.description ?? '',
  ]);
}

/** `docs/reference/mcp-tools.md`: every tool of Gatehouse's own MCP server at `/mcp`. */
export function mcpToolsPage(): string {
  const summary = table(
    ['Tool', 'What it does', 'Scopes', 'Read-only', 'Destructive'],
    ADMIN_TOOLS.map((t) => {
      const hints = annotationsFor(t);
      return [
        code(t.name),
        t.title,
        scopesFor(t).join(' '),
        hints.readOnlyHint ? 'yes' : '',
        hints.destructiveHint ? 'yes' : '',
      ];
    }),
  );
  const details = ADMIN_TOOLS.flatMap((t) => {
    const args = argumentsOf(t.input);
    return [
      `## ${code(t.name)}`,
      t.description,
      args.length > 0 ? table(['Argument', 'Type', 'Required', 'What'], args) : 'No arguments.',
    ];
  });
  return page(
    '# MCP tools',
    [
      "The tools of Gatehouse's own MCP server at `/mcp` on the admin hosts (see [the MCP guide](../guides/mcp.md)).",
      'Each has an input and an output schema and answers with structured content; each calls the same',
      'service the [admin API](admin-api.md) calls. Reading needs the scope `mcp`, changing anything `mcp admin`.',
      'No tool runs a command on the host.',
    ].join(' '),
    summary,
    ...details,
  );
}
