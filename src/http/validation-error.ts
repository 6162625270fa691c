import type { ZodError } from 'zod';
import { GatehouseError } from '../core/errors.ts';

/** The first problem zod found, as an error naming its field. */
export function validationError(error: ZodError): GatehouseError<'VALIDATION_FAILED'> {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  let message = issue?.message ?? 'invalid request body';
  if (issue?.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    return new GatehouseError('VALIDATION_FAILED', `unknown field: ${keys}`, {
      field: field ? `${field}.${keys}` : keys,
    });
  }
  if (field) message = `${field}: ${message}`;
  return new GatehouseError('VALIDATION_FAILED', message, { field });
}
