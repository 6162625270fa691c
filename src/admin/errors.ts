import type { ZodError } from 'zod';
import { GatehouseError } from '../errors.ts';

/** Codes of {@link AdminError}. */
export type AdminErrorCode =
  | 'INVALID_JSON'
  | 'VALIDATION_FAILED'
  | 'UNAUTHORIZED'
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'LAST_ADMIN_KEY'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE';

/** A request to the admin API that cannot be carried out as asked. */
export class AdminError extends GatehouseError {
  readonly code: AdminErrorCode;
  constructor(
    code: AdminErrorCode,
    message: string,
    options?: { field?: string | undefined; cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
  }
}

/** The first problem zod found, as an error naming its field. */
export function validationError(error: ZodError): AdminError {
  const issue = error.issues[0];
  const field = issue && issue.path.length > 0 ? issue.path.map(String).join('.') : undefined;
  let message = issue?.message ?? 'invalid request body';
  if (issue?.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    return new AdminError('VALIDATION_FAILED', `unknown field: ${keys}`, {
      field: field ? `${field}.${keys}` : keys,
    });
  }
  if (field) message = `${field}: ${message}`;
  return new AdminError('VALIDATION_FAILED', message, { field });
}
