/** The request log part of the admin API's OpenAPI document. */

const nullable = (description: string) => ({ type: ['string', 'null'], description });

/** One recorded request (RequestRecord in src/store/request-log.ts). */
export const requestRecordSchema = {
  type: 'object',
  required: [
    'id',
    'at',
    'method',
    'host',
    'path',
    'status',
    'durationMs',
    'bytesIn',
    'bytesOut',
    'ip',
    'user',
    'route',
    'tunnel',
    'userAgent',
    'error',
  ],
  properties: {
    id: { type: 'string' },
    at: { type: 'string', description: 'When the request arrived (ISO 8601).' },
    method: { type: 'string' },
    host: { type: 'string' },
    path: { type: 'string', description: 'Without the query.' },
    status: { type: 'integer', description: '499 when the client left before the answer.' },
    durationMs: { type: 'number' },
    bytesIn: { type: 'integer', description: 'Request bytes as received, head included.' },
    bytesOut: { type: 'integer', description: 'Response bytes sent, head included.' },
    ip: { type: 'string', description: 'The client address.' },
    user: nullable('Who a route login or token named.'),
    route: nullable('The route id that answered.'),
    tunnel: nullable('The tunnel that answered.'),
    userAgent: nullable('The User-Agent header.'),
    error: nullable("Gatehouse's error code, when the edge answered with one."),
  },
};

/** The numbers of a window (src/admin/request-queries.ts). */
export const analyticsSchema = {
  type: 'object',
  required: [
    'window',
    'from',
    'to',
    'total',
    'ratePerSecond',
    'status',
    'latencyMs',
    'bytesIn',
    'bytesOut',
    'uniqueVisitors',
    'topPaths',
    'topErrors',
    'series',
  ],
  properties: {
    window: { enum: ['15m', '1h', '24h', '7d'] },
    from: { type: 'string' },
    to: { type: 'string' },
    total: { type: 'integer' },
    ratePerSecond: { type: 'number' },
    status: {
      type: 'object',
      properties: Object.fromEntries(['2xx', '3xx', '4xx', '5xx'].map((c) => [c, { type: 'integer' }])),
    },
    latencyMs: {
      type: 'object',
      properties: { p50: { type: 'number' }, p95: { type: 'number' }, p99: { type: 'number' } },
    },
    bytesIn: { type: 'integer' },
    bytesOut: { type: 'integer' },
    uniqueVisitors: { type: 'integer', description: 'Distinct client IPs.' },
    topPaths: {
      type: 'array',
      items: { type: 'object', properties: { path: { type: 'string' }, count: { type: 'integer' } } },
    },
    topErrors: {
      type: 'array',
      description: 'Answers with a status of 400 or more, by status and error code.',
      items: {
        type: 'object',
        properties: {
          status: { type: 'integer' },
          error: nullable('The error code'),
          count: { type: 'integer' },
        },
      },
    },
    series: {
      type: 'array',
      description:
        '60 buckets over the window, oldest first; errors are 5xx answers, bytes the sums of the requests of the bucket.',
      items: {
        type: 'object',
        required: ['at', 'requests', 'errors', 'p50', 'p95', 'bytesIn', 'bytesOut'],
        properties: {
          at: { type: 'string', description: 'Where the bucket starts (ISO 8601).' },
          requests: { type: 'integer' },
          errors: { type: 'integer' },
          p50: { type: 'number' },
          p95: { type: 'number' },
          bytesIn: { type: 'integer', description: 'Request bytes received in the bucket, heads included.' },
          bytesOut: { type: 'integer', description: 'Response bytes sent in the bucket, heads included.' },
        },
      },
    },
  },
};

const query = (name: string, description: string, schema: object = { type: 'string' }) => ({
  name,
  in: 'query',
  required: false,
  description,
  schema,
});

const FILTERS = [
  query('host', 'Only this host'),
  query('route', 'Only this route id'),
  query('tunnel', 'Only this tunnel name'),
  query('status', 'A class (2xx, 3xx, 4xx, 5xx) or one status code'),
  query('path', 'Only paths starting with this'),
  query('ip', 'Only this client IP'),
  query('user', 'Only this user'),
  query('since', 'ISO 8601: only requests from then on'),
  query('until', 'ISO 8601: only requests before then'),
];

/** `/requests/`, `/requests/stream` and `/analytics/`. */
export const requestsPaths = (
  errors: (...statuses: number[]) => Record<string, unknown>,
  json: (ref: string) => Record<string, unknown>,
) => ({
  '/requests/': {
    get: {
      summary: 'Recorded requests, newest first, filtered; `next` is the cursor of the next page',
      parameters: [
        ...FILTERS,
        query('limit', '1 to 500 (default 100)', { type: 'integer', minimum: 1, maximum: 500 }),
        query('cursor', 'The `next` of the previous page'),
      ],
      responses: {
        '200': {
          description: 'A page of records',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                required: ['requests', 'next'],
                properties: {
                  requests: { type: 'array', items: { $ref: '#/components/schemas/RequestRecord' } },
                  next: { type: ['string', 'null'] },
                },
              },
            },
          },
        },
        ...errors(400, 401, 409),
      },
    },
  },
  '/requests/stream': {
    get: {
      summary:
        'New records as they are made on this node (Server-Sent Events `request`, data one RequestRecord; a comment every 15 s)',
      parameters: FILTERS,
      responses: {
        '200': { description: 'The live stream', content: { 'text/event-stream': {} } },
        ...errors(400, 401, 409),
      },
    },
  },
  '/analytics/': {
    get: {
      summary:
        'A window of requests for one host, route or tunnel (or all): rate, status mix, latency percentiles, bytes, unique visitors, top paths and errors, a time series',
      parameters: [
        query('host', 'Only this host'),
        query('route', 'Only this route id'),
        query('tunnel', 'Only this tunnel name'),
        query('window', 'How far back (default 1h)', { enum: ['15m', '1h', '24h', '7d'] }),
      ],
      responses: {
        '200': { description: 'Analytics', ...json('RequestAnalytics') },
        ...errors(400, 401, 409),
      },
    },
  },
});
