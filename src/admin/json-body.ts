import type { Context } from 'hono';
import type { z } from 'zod';
import { parseBody } from '../http/validation-error.ts';
import { AdminError } from './errors.ts';

/** Reads the request body as JSON and validates it, with errors that say what was wrong and where. */
export async function jsonBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.infer<T>> {
  const type = c.req.header('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new AdminError('UNSUPPORTED_MEDIA_TYPE', 'the body must be JSON (Content-Type: application/json)');
  }
  const text = await c.req.text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new AdminError('INVALID_JSON', `the body is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return parseBody(schema, value);
}
