import { z } from 'zod';
import { routeInput, routePatch } from '../edge/route.ts';
import { keyInput } from './keys-api.ts';

const schema = (s: z.ZodType, io: 'input' | 'output' = 'input') =>
  z.toJSONSchema(s, { io, unrepresentable: 'any' });

const error = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'Stable code, e.g. VALIDATION_FAILED.' },
    message: { type: 'string' },
    field: { type: 'string', description: 'The field that was wrong, when there is one.' },
  },
};

const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      String(s),
      {
        description: 'Error',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
      },
    ]),
  );

const json = (ref: string) => ({
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${ref}` } } },
});

/** The title of the description; clients read it to know they talk to Gatehouse before sending a key. */
export const ADMIN_API_TITLE = 'Gatehouse admin API';

/** The OpenAPI 3.1 description of the admin API, built from the same schemas that validate requests. */
export function openApiDocument(version: string): Record<string, unknown> {
  const idParam = [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }];
  return {
    openapi: '3.1.0',
    info: { title: ADMIN_API_TITLE, version },
    servers: [{ url: '/api/v1' }],
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: error,
        RouteInput: schema(routeInput),
        RoutePatch: schema(routePatch),
        Route: {
          allOf: [
            schema(routeInput, 'output'),
            {
              type: 'object',
              required: ['id', 'createdAt', 'updatedAt'],
              properties: {
                id: { type: 'string' },
                createdAt: { type: 'string' },
                updatedAt: { type: 'string' },
              },
            },
          ],
        },
        KeyInput: schema(keyInput),
        Key: {
          type: 'object',
          required: ['id', 'name', 'prefix', 'createdAt', 'revokedAt'],
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            prefix: { type: 'string' },
            createdAt: { type: 'string' },
            revokedAt: { type: ['string', 'null'] },
            secret: { type: 'string', description: 'Only in the response that creates the key.' },
          },
        },
      },
    },
    paths: {
      '/routes/': {
        get: { summary: 'List routes', responses: { '200': { description: 'Routes' }, ...errors(401) } },
        post: {
          summary: 'Create a route; it serves the next request',
          requestBody: { required: true, ...json('RouteInput') },
          responses: { '201': { description: 'Created', ...json('Route') }, ...errors(400, 401, 415) },
        },
      },
      '/routes/{id}': {
        parameters: idParam,
        get: {
          summary: 'Read a route',
          responses: { '200': { description: 'Route', ...json('Route') }, ...errors(401, 404) },
        },
        patch: {
          summary: 'Change some of a route’s fields',
          requestBody: { required: true, ...json('RoutePatch') },
          responses: { '200': { description: 'Changed', ...json('Route') }, ...errors(400, 401, 404, 415) },
        },
        delete: {
          summary: 'Delete a route',
          responses: { '204': { description: 'Deleted' }, ...errors(401, 404) },
        },
      },
      '/keys/': {
        get: {
          summary: 'List API keys (prefixes only)',
          responses: { '200': { description: 'Keys' }, ...errors(401) },
        },
        post: {
          summary: 'Create an API key; the secret is returned once',
          requestBody: { required: true, ...json('KeyInput') },
          responses: { '201': { description: 'Created', ...json('Key') }, ...errors(400, 401, 415) },
        },
      },
      '/keys/{id}': {
        parameters: idParam,
        get: {
          summary: 'Read an API key',
          responses: { '200': { description: 'Key', ...json('Key') }, ...errors(401, 404) },
        },
        delete: {
          summary: 'Revoke an API key',
          responses: { '200': { description: 'Revoked', ...json('Key') }, ...errors(401, 404, 409) },
        },
      },
    },
  };
}
