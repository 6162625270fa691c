import { GatehouseError } from '../errors.ts';

/** Codes of {@link TunnelError}. */
export type TunnelErrorCode =
  | 'TUNNEL_NOT_FOUND'
  | 'TUNNEL_NOT_CONNECTED'
  | 'TUNNEL_NAME_TAKEN'
  | 'TUNNEL_NAME_INVALID'
  | 'TUNNEL_KEY_INVALID'
  | 'TUNNEL_LIMIT_REACHED'
  | 'TUNNEL_BODY_TOO_LARGE'
  | 'TUNNEL_STREAM_FAILED'
  | 'TUNNEL_UPGRADE_INVALID';

/** A tunnel that cannot be created, reached or used as asked. */
export class TunnelError extends GatehouseError {
  readonly code: TunnelErrorCode;
  constructor(
    code: TunnelErrorCode,
    message: string,
    options?: { field?: string | undefined; cause?: unknown },
  ) {
    super(message, options);
    this.code = code;
  }
}
