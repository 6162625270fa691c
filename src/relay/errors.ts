import { GatehouseError, type RelayErrorCode } from '../core/errors.ts';

export type { RelayErrorCode };

/** A relay request refused for a reason the caller can act on. */
export class RelayError extends GatehouseError<RelayErrorCode> {}
