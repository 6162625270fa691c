import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** The Prometheus metrics of one Gatehouse process. */
export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'gatehouse_http_requests_total',
    help: 'HTTP requests answered, by kind (proxy, tunnel, admin, edge) and status code.',
    labelNames: ['kind', 'status'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'Time from request to the end of the response, by kind.',
    labelNames: ['kind'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly openConnections = new Gauge({
    name: 'gatehouse_open_connections',
    help: 'Client connections currently open.',
    registers: [this.registry],
  });
  readonly connectionsShed = new Counter({
    name: 'gatehouse_connections_shed_total',
    help: 'Client connections ended or refused to stay within a limit: listener (--max-connections) or client (--max-connections-per-client).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  readonly acceptErrors = new Counter({
    name: 'gatehouse_accept_errors_total',
    help: 'Connections a listener could not accept, by error code (EMFILE: out of file descriptors).',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly routes = new Gauge({
    name: 'gatehouse_routes',
    help: 'Routes in the routing table.',
    registers: [this.registry],
  });
  readonly upstreamErrors = new Counter({
    name: 'gatehouse_upstream_errors_total',
    help: 'Requests the edge answered itself because the upstream failed, by code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });

  readonly requestRecords = new Counter({
    name: 'gatehouse_request_records_total',
    help: 'Request records, by outcome: written to the store, or dropped because the store could not keep up.',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  readonly tunnelRequests = new Counter({
    name: 'gatehouse_tunnel_requests_total',
    help: 'Requests forwarded through each tunnel, by status code.',
    labelNames: ['tunnel', 'status'] as const,
    registers: [this.registry],
  });
  readonly tunnelBytes = new Counter({
    name: 'gatehouse_tunnel_bytes_total',
    help: 'Body bytes through each tunnel: in (to the agent) and out (from it).',
    labelNames: ['tunnel', 'direction'] as const,
    registers: [this.registry],
  });
  readonly tunnelsOnline = new Gauge({
    name: 'gatehouse_tunnels_online',
    help: 'Tunnels with an agent connected to this node.',
    registers: [this.registry],
  });
  readonly tunnelConnects = new Counter({
    name: 'gatehouse_tunnel_connects_total',
    help: 'Agent connections accepted, by tunnel.',
    labelNames: ['tunnel'] as const,
    registers: [this.registry],
  });
  readonly tunnelPassthrough = new Counter({
    name: 'gatehouse_tunnel_passthrough_connections_total',
    help: 'TLS connections passed through to each tunnel unterminated, by outcome (whole, cut, refused).',
    labelNames: ['tunnel', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly certificateExpiry = new Gauge({
    name: 'gatehouse_certificate_expiry_timestamp_seconds',
    help: 'When each automatic certificate expires (Unix seconds), by certificate id and first name.',
    labelNames: ['certificate', 'name'] as const,
    registers: [this.registry],
  });
  readonly certificateNearExpiry = new Gauge({
    name: 'gatehouse_certificate_near_expiry',
    help: '1 when an automatic certificate is near its end and has not renewed (see the admin API for the last error).',
    labelNames: ['certificate', 'name'] as const,
    registers: [this.registry],
  });
  readonly certificateOrders = new Counter({
    name: 'gatehouse_certificate_orders_total',
    help: 'ACME orders by outcome (issued, failed).',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_process_' });
  }

  /** Records one finished request. */
  observe(kind: string, status: number, seconds: number): void {
    this.requests.inc({ kind, status: String(status) });
    this.duration.observe({ kind }, seconds);
  }
}
