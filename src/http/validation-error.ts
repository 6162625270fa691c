import { z } from 'zod';
import { closestName } from '../core/closest-name.ts';
import { GatehouseError } from '../core/errors.ts';

/**
 * Messages for a request body's issues, where zod's own would not say what to do: an unknown
 * field is named with the field of that object it is closest to (`taget`: did you mean target?).
 */
const bodyErrorMap: z.core.$ZodErrorMap = (issue) => {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const shape = issue.inst instanceof z.ZodObject ? Object.keys(issue.inst.shape) : [];
  return issue.keys
    .map((key) => {
      const near = closestName(key, shape);
      return near ? `${key} (did you mean ${near}?)` : key;
    })
    .join(', ');
};

/** Validates a request body: its value, or the first problem as an error naming its field. */
export function parseBody<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value, { error: bodyErrorMap });
  if (!parsed.success) throw validationError(parsed.error);
  return parsed.data;
}

/**
 * The first problem zod found, as an error naming its field. An unknown field comes first: a
 * mistyped name is what leaves the right one missing, so it is the one to name.
 */
export function validationError(error: ZodError): GatehouseError<'VALIDATION_FAILED'> {
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  let message = issue?.message ?? 'invalid request body';
  if (issue?.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    const named = issue.message.startsWith('Unrecognized key') ? keys : issue.message;
    return new GatehouseError('VALIDATION_FAILED', `unknown field: ${field ? `${field}.` : ''}${named}`, {
      field: field ? `${field}.${keys}` : keys,
    });
  }
  if (field) message = `${field}: ${message}`;
  return new GatehouseError('VALIDATION_FAILED', message, { field });
}

type ZodError = z.ZodError;
