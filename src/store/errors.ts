import { GatehouseError } from '../errors.ts';

/** Codes of {@link StoreError}. */
export type StoreErrorCode = 'STORE_CONFLICT' | 'STORE_UNAVAILABLE' | 'STORE_SCHEMA_TOO_NEW';

/** A storage failure that callers may act on. */
export class StoreError extends GatehouseError {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}
