/**
 * One exchange the edge answered, as it reports it to the request log: what the log keeps of a
 * request but for the id the log gives it. The edge makes these and the store keeps them, so the
 * shape lives below both.
 */
export interface AnsweredRequest {
  /** When the request arrived, ms since the epoch. */
  readonly startedAt: number;
  readonly method: string;
  readonly host: string;
  /** The path without its query, as the access log writes it. */
  readonly path: string;
  readonly status: number;
  readonly durationMs: number;
  /** Request bytes as received, head included. */
  readonly bytesIn: number;
  /** Response bytes sent, head included. */
  readonly bytesOut: number;
  readonly ip: string;
  /** Who a route's login or token named, when the route has auth. */
  readonly user: string | null;
  /** The route id that answered. */
  readonly route: string | null;
  /** The tunnel that answered. */
  readonly tunnel: string | null;
  readonly userAgent: string | null;
  /** Gatehouse's error code when the edge answered with one. */
  readonly error: string | null;
}
