import { z } from 'zod';
import { ROUTE_KINDS, type RouteKind, routeInput } from '../../src/routes/route.ts';
import { code, page, table } from './markdown.ts';
import { defaultText, fieldsOf, isOptional, typeText, unwrap } from './zod-text.ts';

interface RouteField {
  readonly path: string;
  readonly schema: z.ZodType;
  readonly kinds: RouteKind[];
}

/** Every field of every kind, in the order the kinds list them; `kind` itself aside. */
function routeFields(): RouteField[] {
  const union = unwrap(routeInput);
  if (!(union instanceof z.ZodUnion)) throw new Error('routeInput is no longer a union of kinds');
  const fields = new Map<string, RouteField>();
  for (const option of union.options as z.ZodObject[]) {
    const kind = unwrap(option.shape['kind'] as z.ZodType);
    if (!(kind instanceof z.ZodLiteral)) throw new Error('a route kind without a literal kind');
    const name = [...kind.values][0] as RouteKind;
    for (const field of fieldsOf(option)) {
      if (field.path === 'kind') continue;
      const known = fields.get(field.path);
      if (known) known.kinds.push(name);
      else fields.set(field.path, { ...field, kinds: [name] });
    }
  }
  return [...fields.values()];
}

/** `docs/reference/routes.md`: the fields of a route, which kinds have them, their types and defaults. */
export function routesPage(): string {
  const fields = routeFields();
  const top = fields.filter((f) => !f.path.includes('.') && !f.path.includes('['));
  const matrix = table(
    ['Field', ...ROUTE_KINDS],
    top.map((f) => [code(f.path), ...ROUTE_KINDS.map((k) => (f.kinds.includes(k) ? '✓' : ''))]),
  );
  const all = table(
    ['Field', 'Kinds', 'Type', 'Required', 'Default'],
    fields.map((f) => [
      code(f.path),
      f.kinds.length === ROUTE_KINDS.length ? 'all' : f.kinds.join(', '),
      typeText(f.schema),
      isOptional(f.schema) ? '' : 'yes',
      code(defaultText(f.schema)),
    ]),
  );
  return page(
    '# Routes',
    [
      'A route is one JSON object, created with `POST /api/v1/routes/` and changed with `PATCH',
      '/api/v1/routes/{id}` (see [the admin API](admin-api.md)). Its `kind` is one of',
      `${ROUTE_KINDS.map(code).join(', ')}; left out, it follows from the fields: \`relay\` makes a relay,`,
      '`tunnel` a tunnel, `static` a static route, `fleetLogin` a fleet-login route, `mcp` an MCP route, anything else a',
      'proxy. A field another kind has is refused. Every route also gets `id`, `createdAt` and',
      '`updatedAt`.',
    ].join(' '),
    '## Fields by kind',
    matrix,
    '## Fields',
    'Nested fields are dotted (`timeouts.connectMs`); `[]` stands for each item of a list, `<name>` for each entry of a map. A field inside an optional one is required only when that one is given.',
    all,
  );
}
