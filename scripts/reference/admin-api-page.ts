import { ADMIN_API_TITLE, openApiDocument } from '../../src/admin/openapi.ts';
import { VERSION } from '../../src/core/version.ts';
import { cell, code, GENERATED, page, table } from './markdown.ts';

/** A JSON Schema, as far as the reference reads one. */
interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly enum?: readonly unknown[];
  readonly items?: JsonSchema;
  readonly oneOf?: readonly JsonSchema[];
  readonly allOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly additionalProperties?: boolean | JsonSchema;
  readonly required?: readonly string[];
  readonly description?: string;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly default?: unknown;
}

interface Operation {
  readonly summary?: string;
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly content?: Record<string, { readonly schema?: JsonSchema }> };
  readonly responses?: Readonly<
    Record<string, { description?: string; content?: Record<string, { schema?: JsonSchema }> }>
  >;
}

interface Parameter {
  readonly name: string;
  readonly in: string;
  readonly required?: boolean;
  readonly schema?: JsonSchema;
  readonly description?: string;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const refName = (ref: string) => ref.replace('#/components/schemas/', '');
const refLink = (ref: string) => `[\`${refName(ref)}\`](#${refName(ref).toLowerCase()})`;

/** What a value must be, in words, from its JSON Schema. */
function jsonType(schema: JsonSchema | undefined): string {
  if (!schema) return 'any';
  if (schema.$ref) return refLink(schema.$ref);
  const alternatives = schema.oneOf ?? schema.anyOf;
  if (alternatives) return alternatives.map(jsonType).join(' or ');
  if (schema.allOf) return schema.allOf.map(jsonType).join(' with ');
  if (schema.enum) return `one of ${schema.enum.map((v) => code(String(v))).join(', ')}`;
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  const words = types.map((type) => {
    if (type === 'array') return `list of ${jsonType(schema.items)}`;
    if (type === 'object' && !schema.properties && typeof schema.additionalProperties === 'object')
      return `map of ${jsonType(schema.additionalProperties)}`;
    if (type === 'object') return 'object';
    if ((type === 'integer' || type === 'number') && (schema.minimum ?? schema.maximum) !== undefined)
      return `${type}, ${schema.minimum ?? '…'} to ${schema.maximum ?? '…'}`;
    return type;
  });
  return words.join(' or ') || 'any';
}

function bodySchema(content: Record<string, { readonly schema?: JsonSchema }> | undefined): string {
  const schema = content?.['application/json']?.schema;
  return schema ? jsonType(schema) : '';
}

function operation(method: string, path: string, op: Operation, shared: readonly Parameter[]): string {
  const parameters = [...shared, ...(op.parameters ?? [])].map(
    (p) =>
      `${code(p.name)} in ${p.in}${p.required ? ', required' : ''}: ${jsonType(p.schema)}` +
      `${p.schema?.default !== undefined ? `, default ${code(JSON.stringify(p.schema.default))}` : ''}` +
      `${p.description ? ` (${p.description})` : ''}`,
  );
  // Statuses that answer alike are listed together: `401`, `404` Error.
  const answers = new Map<string, string[]>();
  for (const [status, answer] of Object.entries(op.responses ?? {})) {
    const body = bodySchema(answer.content);
    const what = `${answer.description ?? ''}${body ? `: ${body}` : ''}`;
    answers.set(what, [...(answers.get(what) ?? []), code(status)]);
  }
  const body = bodySchema(op.requestBody?.content);
  return [
    `### \`${method.toUpperCase()} ${path}\``,
    op.summary ?? '',
    [
      parameters.length ? `- Parameters: ${parameters.join('; ')}` : '',
      body ? `- Body: ${body}` : '',
      `- Answers: ${[...answers].map(([what, statuses]) => `${statuses.join(', ')} ${what}`).join('; ')}`,
    ]
      .filter(Boolean)
      .join('\n'),
  ]
    .filter(Boolean)
    .join('\n\n');
}

function schemaSection(name: string, schema: JsonSchema): string {
  const blocks = [`### ${name}`];
  if (name.startsWith('Route'))
    blocks.push('The fields of each kind of route, with types and defaults, are in [routes.md](routes.md).');
  if (schema.description) blocks.push(schema.description);
  const properties = Object.entries(schema.properties ?? {});
  if (properties.length > 0 && !name.startsWith('Route'))
    blocks.push(
      table(
        ['Property', 'Type', 'Required', 'Description'],
        properties.map(([property, value]) => [
          code(property),
          jsonType(value),
          schema.required?.includes(property) ? 'yes' : '',
          cell(value.description ?? ''),
        ]),
      ),
    );
  return blocks.join('\n\n');
}

/** The OpenAPI document as committed: `openapi.json`, its first key saying it is generated. */
export function openApiJson(): string {
  const document = { 'x-generated': GENERATED.replace(/^<!-- | -->$/g, ''), ...openApiDocument(VERSION) };
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** `docs/reference/admin-api.md`: the admin API's endpoints and schemas, from its OpenAPI document. */
export function adminApiPage(): string {
  const document = openApiDocument(VERSION) as {
    servers: { url: string }[];
    paths: Record<string, Record<string, unknown>>;
    components: { schemas: Record<string, JsonSchema> };
  };
  const endpoints = Object.entries(document.paths).flatMap(([path, item]) => {
    const shared = (item['parameters'] ?? []) as Parameter[];
    return METHODS.filter((m) => item[m]).map((m) => operation(m, path, item[m] as Operation, shared));
  });
  return page(
    `# ${ADMIN_API_TITLE}`,
    [
      `The admin API answers under \`${document.servers[0]?.url}\` on the admin hosts (\`--domain\` and`,
      'localhost), with `Authorization: Bearer <key or token>`: an admin API key, or an access token of',
      "Gatehouse's authorization server (most calls need its admin scope). A running Gatehouse serves",
      'this description at `/api/v1/openapi.json`;',
      '[openapi.json](openapi.json) is the same document. Every error answer is an [`Error`](#error);',
      'its codes are in [errors.md](errors.md).',
    ].join(' '),
    '## Endpoints',
    ...endpoints,
    '## Schemas',
    ...Object.entries(document.components.schemas).map(([name, schema]) => schemaSection(name, schema)),
  );
}
