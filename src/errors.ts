/** Base of every error Gatehouse raises on purpose: a stable string code plus a human message. */
export abstract class GatehouseError extends Error {
  /** Stable machine-readable code, e.g. `ROUTE_NOT_FOUND`. */
  abstract readonly code: string;
  /** The request field or config key that was wrong, when there is one. */
  readonly field: string | undefined;

  constructor(message: string, options?: { field?: string | undefined; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.field = options?.field;
    this.name = new.target.name;
  }
}
