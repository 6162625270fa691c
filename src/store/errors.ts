import { GatehouseError, type StoreErrorCode } from '../core/errors.ts';

export type { StoreErrorCode };

/** A storage failure that callers may act on. */
export class StoreError extends GatehouseError<StoreErrorCode> {}
