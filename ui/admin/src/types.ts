/** A tunnel as `GET /api/v1/tunnels` shows it. */
export interface Tunnel {
  name: string;
  url: string;
  owner: string | null;
  keyPrefix: string;
  createdAt: string;
  keyRotatedAt: string | null;
  online: boolean;
  connectedSince: string | null;
  clientIp: string | null;
  agentVersion: string | null;
  transport: string | null;
  requests: number;
  activeRequests: number;
}

/** A route as the admin API shows it (secrets as `(set)`). */
export interface Route {
  id: string;
  kind: string;
  host: string;
  path: string;
  target?: string;
  tunnel?: string;
  [field: string]: unknown;
}

/** A managed certificate. */
export interface Certificate {
  id: string;
  names: string[];
  origin: string;
  status: string;
  issuer: string | null;
  notAfter: string | null;
  renewAt: string;
  failures: number;
}

/** One recorded request (the records API). */
export interface RequestRecord {
  id: string;
  at: string;
  method: string;
  host: string;
  path: string;
  status: number;
  durationMs: number;
  bytesIn: number;
  bytesOut: number;
  ip: string;
  user: string | null;
  route: string | null;
  tunnel: string | null;
  userAgent: string | null;
  error: string | null;
}

/** `GET /api/v1/analytics`. */
export interface Analytics {
  window: string;
  from: string;
  to: string;
  total: number;
  ratePerSecond: number;
  status: { '2xx': number; '3xx': number; '4xx': number; '5xx': number };
  latencyMs: { p50: number; p95: number; p99: number };
  bytesIn: number;
  bytesOut: number;
  uniqueVisitors: number;
  topPaths: { path: string; count: number }[];
  topErrors: { status: number; error: string | null; count: number }[];
  series: {
    at: string;
    requests: number;
    errors: number;
    p50: number;
    p95: number;
    bytesIn: number;
    bytesOut: number;
  }[];
}

/** A webhook delivery of a relay route. */
export interface Delivery {
  id: string;
  receivedAt: string;
  method: string;
  pathAndQuery: string;
  authority: string;
  headers: Record<string, string | string[]>;
  body: string;
  bodyBytes: number;
  truncated: boolean;
  results: { developer: string; status: number; at: string; error?: string; replay?: boolean }[];
}
