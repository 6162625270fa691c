import { z } from 'zod';
import { errorDocs } from '../http/error-docs.ts';
import { routeInput, routePatch } from '../routes/route.ts';
import { keyInput } from './keys-api.ts';
import { certificatesPaths, certificateView } from './openapi-certificates.ts';
import { analyticsSchema, requestRecordSchema, requestsPaths } from './openapi-requests.ts';
import { vehicleState, vehiclesPaths } from './openapi-vehicles.ts';

const schema = (s: z.ZodType, io: 'input' | 'output' = 'input') =>
  z.toJSONSchema(s, { io, unrepresentable: 'any' });

const error = {
  type: 'object',
  required: ['error', 'message', 'docs'],
  properties: {
    error: { type: 'string', description: 'Stable code, e.g. VALIDATION_FAILED.' },
    message: { type: 'string' },
    field: { type: 'string', description: 'The field that was wrong, when there is one.' },
    docs: {
      type: 'string',
      description: `The code's entry in the reference the package ships, e.g. ${errorDocs('ROUTE_NOT_FOUND')}.`,
    },
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

/** One variant per route kind; `kind` may be left out, the kind then follows from the fields. */
function routeInputSchema(): Record<string, unknown> {
  const document = schema(routeInput) as {
    oneOf?: { required?: string[]; properties?: Record<string, object> }[];
  };
  for (const variant of document.oneOf ?? []) {
    variant.required = (variant.required ?? []).filter((name) => name !== 'kind');
    variant.properties = {
      ...variant.properties,
      kind: {
        ...variant.properties?.['kind'],
        description: 'Optional: without it, relay, tunnel or static fields make that kind, else proxy.',
      },
    };
  }
  return document;
}

/** One attempt to hand a webhook on, as `DeliveryResult` in src/relay/deliveries.ts. */
const deliveryResult = {
  type: 'object',
  required: ['developer', 'status', 'at'],
  properties: {
    developer: { type: 'string', description: 'The developer, or `local` for the route’s own upstream.' },
    status: { type: 'integer', description: 'The status answered; 404 not registered, 502 unreachable.' },
    at: { type: 'string', format: 'date-time' },
    error: { type: 'string' },
    replay: { type: 'boolean', description: 'True for an attempt made by a replay.' },
  },
};

/** A recorded webhook, as the admin API shows it. */
const delivery = {
  type: 'object',
  required: [
    'id',
    'receivedAt',
    'method',
    'pathAndQuery',
    'authority',
    'headers',
    'body',
    'bodyBytes',
    'truncated',
    'results',
  ],
  properties: {
    id: { type: 'string' },
    receivedAt: { type: 'string', format: 'date-time' },
    method: { type: 'string' },
    pathAndQuery: { type: 'string' },
    authority: { type: 'string', description: 'The Host the provider called.' },
    headers: {
      type: 'object',
      additionalProperties: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
      description: 'As received; credential headers read `[redacted]`.',
    },
    body: {
      type: 'string',
      contentEncoding: 'base64',
      description: 'In a list, the first `recordBodyBytes` (a preview); for one delivery, the whole body.',
    },
    bodyBytes: { type: 'integer', description: 'Size of the body received.' },
    truncated: { type: 'boolean', description: 'True when `body` is a preview.' },
    results: { type: 'array', items: { $ref: '#/components/schemas/DeliveryResult' } },
  },
};

/** One call through an mcp route, as `McpCallRecord` in src/mcp/route/mcp-audit.ts. */
const mcpCallSchema = {
  type: 'object',
  required: ['id', 'at', 'who', 'method', 'name', 'argumentsHash', 'outcome', 'durationMs'],
  properties: {
    id: { type: 'string' },
    at: { type: 'string', format: 'date-time' },
    who: { type: 'string', description: '`<provider>:<login>` of the caller.' },
    method: { type: 'string', description: 'The JSON-RPC method (`tools/call`…).' },
    name: { type: ['string', 'null'], description: 'The tool or prompt name, or the resource URI.' },
    argumentsHash: { type: ['string', 'null'], description: 'SHA-256 (hex) of the arguments as sent.' },
    outcome: {
      type: 'string',
      description: '`ok`, `tool-error`, `error <code>`, `denied`, `header-mismatch` or `upstream <status>`.',
    },
    durationMs: { type: 'integer' },
  },
};

const deliveriesPaths = () => {
  const id = { name: 'id', in: 'path', required: true, schema: { type: 'string' }, description: 'The route' };
  const deliveryId = { name: 'delivery', in: 'path', required: true, schema: { type: 'string' } };
  return {
    '/routes/{id}/deliveries': {
      parameters: [id],
      get: {
        summary: 'Webhooks a relay route received (7 days), newest first',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: {
          '200': {
            description: 'Deliveries, each with a body preview',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['deliveries'],
                  properties: {
                    deliveries: { type: 'array', items: { $ref: '#/components/schemas/Delivery' } },
                  },
                },
              },
            },
          },
          ...errors(401, 404),
        },
      },
    },
    '/routes/{id}/registrations': {
      parameters: [id],
      get: {
        summary: "The developers registered with a relay route's host now, and where each one's requests go",
        responses: {
          '200': {
            description:
              'Each registration: developerId, target (a tunnel name or a URL), registeredAt, expiresAt',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['registrations'],
                  properties: { registrations: { type: 'array', items: { type: 'object' } } },
                },
              },
            },
          },
          ...errors(400, 401, 404),
        },
      },
    },
    '/routes/{id}/mcp-calls': {
      parameters: [id],
      get: {
        summary: 'Calls through an mcp route (30 days), newest first',
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 500, default: 100 } },
        ],
        responses: {
          '200': {
            description: 'One record per call; the arguments are kept only as their SHA-256',
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['calls'],
                  properties: { calls: { type: 'array', items: { $ref: '#/components/schemas/McpCall' } } },
                },
              },
            },
          },
          ...errors(400, 401, 404),
        },
      },
    },
    '/routes/{id}/deliveries/{delivery}': {
      parameters: [id, deliveryId],
      get: {
        summary: 'One delivery, with its whole body',
        responses: { '200': { description: 'Delivery', ...json('Delivery') }, ...errors(401, 404) },
      },
    },
    '/routes/{id}/deliveries/{delivery}/replay': {
      parameters: [id, deliveryId],
      post: {
        summary: 'Send a delivery again, as received, to a registered developer',
        requestBody: { required: true, ...json('ReplayInput') },
        responses: {
          '200': {
            description: 'The attempt (also added to the delivery’s results)',
            ...json('DeliveryResult'),
          },
          ...errors(400, 401, 404, 409, 415),
        },
      },
    },
  };
};

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
        RouteInput: routeInputSchema(),
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
        Delivery: delivery,
        McpCall: mcpCallSchema,
        DeliveryResult: deliveryResult,
        VehicleState: vehicleState,
        Certificate: certificateView,
        RequestRecord: requestRecordSchema,
        RequestAnalytics: analyticsSchema,
        ReplayInput: {
          type: 'object',
          required: ['developer_id'],
          additionalProperties: false,
          properties: { developer_id: { type: 'string', pattern: '^[A-Za-z0-9._-]{1,100}$' } },
        },
        Key: {
          type: 'object',
          required: ['id', 'name', 'prefix', 'source', 'inUse', 'createdAt', 'revokedAt'],
          properties: {
            id: { type: 'string', description: '`env` for the key from GATEHOUSE_ADMIN_KEY.' },
            name: { type: 'string' },
            prefix: { type: 'string' },
            source: {
              enum: ['stored', 'environment'],
              description: 'Stored through this API, or GATEHOUSE_ADMIN_KEY (listed first, never stored).',
            },
            inUse: { type: 'boolean', description: 'The key this request was made with.' },
            createdAt: { type: ['string', 'null'], description: 'Null for GATEHOUSE_ADMIN_KEY.' },
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
      ...deliveriesPaths(),
      ...vehiclesPaths(errors),
      ...certificatesPaths(errors, json),
      ...requestsPaths(errors, json),
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
      '/oauth/keys/rotate': {
        post: {
          summary:
            'Make a new signing key current on every node; the old one verifies until its tokens expire',
          responses: {
            '200': { description: 'The key ids now published, the current one first' },
            ...errors(401, 503),
          },
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
