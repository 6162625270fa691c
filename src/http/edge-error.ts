import { type EdgeErrorCode, GatehouseError } from '../core/errors.ts';

export type { EdgeErrorCode };

/** Why the edge answered a request itself instead of forwarding it. */
export class EdgeError extends GatehouseError<EdgeErrorCode> {}
