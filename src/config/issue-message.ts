import { z } from 'zod';

/**
 * Zod's error map for the configuration: says what is allowed in words a person acts on (`must be
 * a port number from 0 to 65535`) instead of the validator's (`expected number, received NaN`).
 * Messages written into the schema itself still win; issues it has no better words for keep Zod's.
 */
export function configErrorMap(schema: z.ZodType): z.core.$ZodErrorMap {
  return (issue) => {
    const key = (issue.path ?? []).map(String).join('.');
    const target = schemaAt(schema, issue.path ?? []);
    if (target instanceof z.ZodNumber && NUMBER_ISSUES.has(issue.code)) return numberRule(key, target);
    switch (issue.code) {
      case 'invalid_value':
        return `must be one of ${issue.values.map(String).join(', ')}`;
      case 'unrecognized_keys': {
        const known = target instanceof z.ZodObject ? Object.keys(target.shape) : [];
        return known.length
          ? `is not a known setting; known here: ${known.join(', ')}`
          : 'is not a known setting';
      }
      case 'invalid_type':
        return issue.input === undefined
          ? 'is required'
          : `must be ${TYPE_NAMES[issue.expected] ?? issue.expected}`;
      case 'too_small':
        if (issue.origin === 'string')
          return issue.minimum === 1 ? 'must not be empty' : `must be at least ${issue.minimum} characters`;
        if (issue.origin === 'array')
          return issue.minimum === 1 ? 'must not be empty' : `must list at least ${issue.minimum} items`;
        return undefined;
      default:
        return undefined;
    }
  };
}

const NUMBER_ISSUES = new Set(['invalid_type', 'too_small', 'too_big']);

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  object: 'a mapping of settings',
  array: 'a list',
};

/** `must be a port number from 0 to 65535`, `must be a whole number of bytes, 0 or more`. */
function numberRule(key: string, schema: z.ZodNumber): string {
  const { minValue: min, maxValue: max } = schema;
  const what = /(^|\.)port$/.test(key)
    ? 'a port number'
    : `a ${schema.isInt ? 'whole ' : ''}number${unitOf(key)}`;
  // Whole numbers are bounded by the safe-integer range even when the schema sets no limit.
  const hasMin = min !== null && min > Number.MIN_SAFE_INTEGER;
  const hasMax = max !== null && max < Number.MAX_SAFE_INTEGER;
  if (hasMin && hasMax) return `must be ${what} from ${min} to ${max}`;
  if (hasMin) return `must be ${what}, ${min} or more`;
  if (hasMax) return `must be ${what}, ${max} or less`;
  return `must be ${what}`;
}

/** The unit a setting's name ends in, by the project's naming (`shutdownTimeoutMs`, `maxBodyBytes`). */
function unitOf(key: string): string {
  if (key.endsWith('Ms')) return ' of milliseconds';
  if (key.endsWith('Seconds')) return ' of seconds';
  if (key.endsWith('Bytes') || key.endsWith('Size')) return ' of bytes';
  return '';
}

/** The schema a path leads to, looking through defaults and optionals; undefined if there is none. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let node: z.ZodType | undefined = unwrap(schema);
  for (const part of path) {
    if (node instanceof z.ZodObject) node = (node.shape as Record<PropertyKey, z.ZodType>)[part];
    else if (node instanceof z.ZodArray) node = node.element as z.ZodType;
    else return undefined;
    if (node === undefined) return undefined;
    node = unwrap(node);
  }
  return node;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let node = schema;
  while (node instanceof z.ZodDefault || node instanceof z.ZodOptional || node instanceof z.ZodNullable)
    node = node.unwrap() as z.ZodType;
  return node;
}
