import type { AnsweredRequest } from '../../src/core/answered-request.ts';

/** A plain GET the edge answered 200 at `startedAt`, with `fields` in place of the defaults. */
export function answeredRequest(startedAt: number, fields: Partial<AnsweredRequest> = {}): AnsweredRequest {
  return {
    startedAt,
    method: 'GET',
    host: 'app.example.com',
    path: '/',
    status: 200,
    durationMs: 1,
    bytesIn: 0,
    bytesOut: 100,
    ip: '10.0.0.1',
    user: null,
    route: 'web',
    tunnel: null,
    userAgent: 'curl/8',
    error: null,
    ...fields,
  };
}
