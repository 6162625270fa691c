import { GatehouseError } from '../errors.ts';

/** Codes of {@link RelayError}. */
export type RelayErrorCode =
  | 'RELAY_DISABLED'
  | 'RELAY_BODY_INVALID'
  | 'RELAY_BODY_TOO_LARGE'
  | 'RELAY_SIGNATURE_INVALID'
  | 'RELAY_TIMESTAMP_STALE'
  | 'RELAY_SIGNATURE_REPLAYED'
  | 'RELAY_TARGET_REFUSED'
  | 'RELAY_TARGET_UNREACHABLE'
  | 'RELAY_NOT_REGISTERED'
  | 'RELAY_DELIVERY_NOT_FOUND'
  | 'RELAY_REPLAY_IMPOSSIBLE';

/** A relay request refused for a reason the caller can act on. */
export class RelayError extends GatehouseError {
  readonly code: RelayErrorCode;
  constructor(
    code: RelayErrorCode,
    message: string,
    options?: { field?: string | undefined; cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
  }
}
