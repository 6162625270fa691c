import { z } from 'zod';
import { requestFilterOf } from '../admin/request-queries.ts';
import { adminTool, record } from './tool-kit.ts';

const requestShape = record({
  id: z.string(),
  at: z.string(),
  method: z.string(),
  host: z.string(),
  path: z.string(),
  status: z.number(),
  durationMs: z.number(),
  ip: z.string(),
  route: z.string().nullable(),
  tunnel: z.string().nullable(),
  error: z.string().nullable(),
});

const text = (what: string) => z.string().optional().describe(what);

/** The request log: recent requests and a window's analytics. */
export const REQUEST_TOOLS = [
  adminTool({
    name: 'recent_requests',
    title: 'Recent requests',
    description:
      'Lists the requests Gatehouse answered, newest first: time, method, host, path (no query), status, duration, bytes, client IP, user, route, tunnel, user agent and error code. Every filter given must match; pass `next` back as cursor for older ones.',
    effect: 'read',
    input: z
      .object({
        host: text('Only this host'),
        route: text('Only this route id'),
        tunnel: text('Only this tunnel name'),
        status: text('A status class (2xx, 3xx, 4xx, 5xx) or one status such as 404'),
        path: text('Only paths starting with this'),
        ip: text('Only this client IP'),
        user: text('Only this user (from a route login)'),
        since: text('ISO 8601 time: only requests from then on'),
        until: text('ISO 8601 time: only requests before then'),
        limit: z.number().int().min(1).max(500).optional().describe('At most this many (default 100)'),
        cursor: text('The `next` of a previous answer'),
      })
      .strict(),
    output: z.object({ requests: z.array(requestShape), next: z.string().nullable() }),
    run: (service, { limit, cursor, ...filter }) =>
      service.recentRequests(requestFilterOf(filter), limit ?? 100, cursor),
  }),
  adminTool({
    name: 'request_analytics',
    title: 'Request analytics',
    description:
      'Numbers of the requests of a recent window for one host, route or tunnel, or for everything: total and rate, status mix, p50/p95/p99 latency, bytes, unique visitors (client IPs), top paths, top errors, and a time series of 60 buckets (requests, errors, p50/p95 latency, bytes in and out).',
    effect: 'read',
    input: z
      .object({
        host: text('Only this host'),
        route: text('Only this route id'),
        tunnel: text('Only this tunnel name'),
        window: z.enum(['15m', '1h', '24h', '7d']).optional().describe('How far back (default 1h)'),
      })
      .strict(),
    output: record({
      window: z.string(),
      total: z.number(),
      ratePerSecond: z.number(),
      status: record({}),
      latencyMs: record({ p50: z.number(), p95: z.number(), p99: z.number() }),
      uniqueVisitors: z.number(),
      series: z.array(
        record({
          at: z.string(),
          requests: z.number(),
          errors: z.number(),
          bytesIn: z.number(),
          bytesOut: z.number(),
        }),
      ),
    }),
    run: (service, { window, ...scope }) => service.requestAnalytics(requestFilterOf(scope), window),
  }),
];
