import { z } from 'zod';

/**
 * Reading a Zod schema for the reference: what a value must be, its default, and the fields of a
 * mapping. Only what the schema states is read; rules in refinements stay in their messages.
 */

/** One field of a mapping, by its dotted path (`timeouts.connectMs`, `listeners[].port`). */
export interface SchemaField {
  readonly path: string;
  readonly schema: z.ZodType;
}

/** The schema a value is checked by after wrappers that say nothing of its type. */
export function unwrap(schema: z.ZodType): z.ZodType {
  let node = schema;
  for (;;) {
    if (node instanceof z.ZodDefault || node instanceof z.ZodOptional || node instanceof z.ZodNullable)
      node = node.unwrap() as z.ZodType;
    else if (node instanceof z.ZodPipe) node = pipeSide(node);
    else return node;
  }
}

/** A preprocess (a transform, then the schema) is read by its schema; a transform after one by its input. */
function pipeSide(pipe: z.ZodPipe): z.ZodType {
  const { in: input, out } = pipe.def;
  return (input instanceof z.ZodTransform ? out : input) as z.ZodType;
}

/** The default the schema fills in, when it states one. */
export function defaultOf(schema: z.ZodType): unknown {
  let node = schema;
  for (;;) {
    if (node instanceof z.ZodDefault) return node.def.defaultValue;
    if (node instanceof z.ZodOptional || node instanceof z.ZodNullable) node = node.unwrap() as z.ZodType;
    else if (node instanceof z.ZodPipe) node = pipeSide(node);
    else return undefined;
  }
}

/** True when the field may be left out (it is optional, or has a default). */
export function isOptional(schema: z.ZodType): boolean {
  return schema.safeParse(undefined).success || defaultOf(schema) !== undefined;
}

/** What a value must be, in words: `integer, 0 to 65535`, `list of string`, one of `a`, `b`. */
export function typeText(schema: z.ZodType): string {
  let nullable = false;
  let node = schema;
  while (node instanceof z.ZodDefault || node instanceof z.ZodOptional || node instanceof z.ZodNullable) {
    if (node instanceof z.ZodNullable) nullable = true;
    node = node.unwrap() as z.ZodType;
  }
  const text = node instanceof z.ZodPipe ? typeText(pipeSide(node)) : bareType(node);
  return nullable ? `${text} or null` : text;
}

function bareType(node: z.ZodType): string {
  if (node instanceof z.ZodNumber) return numberText(node);
  if (node instanceof z.ZodString) return 'string';
  if (node instanceof z.ZodBoolean) return 'boolean';
  if (node instanceof z.ZodEnum) return `one of ${node.options.map((o) => `\`${String(o)}\``).join(', ')}`;
  if (node instanceof z.ZodLiteral) return [...node.values].map((v) => `\`${String(v)}\``).join(', ');
  if (node instanceof z.ZodArray) return `list of ${typeText(node.element as z.ZodType)}`;
  if (node instanceof z.ZodRecord) return `map of ${typeText(node.def.valueType as z.ZodType)}`;
  if (node instanceof z.ZodObject) return 'mapping';
  if (node instanceof z.ZodUnion)
    return [...new Set((node.options as z.ZodType[]).map((o) => typeText(o)))].join(' or ');
  return 'any';
}

function numberText(node: z.ZodNumber): string {
  const kind = node.isInt ? 'integer' : 'number';
  const min = node.minValue !== null && node.minValue > Number.MIN_SAFE_INTEGER ? node.minValue : undefined;
  const max = node.maxValue !== null && node.maxValue < Number.MAX_SAFE_INTEGER ? node.maxValue : undefined;
  if (min !== undefined && max !== undefined) return `${kind}, ${min} to ${max}`;
  if (min !== undefined) return `${kind}, ${min} or more`;
  if (max !== undefined) return `${kind}, ${max} or less`;
  return kind;
}

/** The schema at a dotted key (`tls.port`), or undefined when the schema has no such field. */
export function schemaAt(root: z.ZodType, key: string): z.ZodType | undefined {
  let node: z.ZodType | undefined = root;
  for (const part of key.split('.')) {
    const object: z.ZodType | undefined = node && unwrap(node);
    if (!(object instanceof z.ZodObject)) return undefined;
    node = (object.shape as Record<string, z.ZodType>)[part];
  }
  return node;
}

/**
 * Every field below a mapping, depth first in the schema's order: the fields of mappings inside it,
 * of list items that are mappings (`listeners[].port`) and of named entries (`sinks.<name>.url`).
 */
export function fieldsOf(schema: z.ZodType, prefix = ''): SchemaField[] {
  const node = unwrap(schema);
  const join = (part: string) => (prefix ? `${prefix}.${part}` : part);
  if (node instanceof z.ZodObject)
    return Object.entries(node.shape as Record<string, z.ZodType>).flatMap(([name, field]) => [
      { path: join(name), schema: field },
      ...fieldsOf(field, join(name)),
    ]);
  if (node instanceof z.ZodArray) return nested(node.element as z.ZodType, `${prefix}[]`);
  if (node instanceof z.ZodRecord) return nested(node.def.valueType as z.ZodType, join('<name>'));
  if (node instanceof z.ZodUnion)
    return (node.options as z.ZodType[]).flatMap((option) =>
      unwrap(option) instanceof z.ZodObject ? fieldsOf(option, prefix) : [],
    );
  return [];
}

function nested(item: z.ZodType, path: string): SchemaField[] {
  return unwrap(item) instanceof z.ZodObject ? fieldsOf(item, path) : [];
}

/** A default as the reference shows it: JSON, or nothing when the schema states none. */
export function defaultText(schema: z.ZodType): string {
  const value = defaultOf(schema);
  return value === undefined ? '' : JSON.stringify(value);
}
