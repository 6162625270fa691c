import { GatehouseError, type TunnelErrorCode } from '../../core/errors.ts';

export type { TunnelErrorCode };

/** A tunnel that cannot be created, reached or used as asked. */
export class TunnelError extends GatehouseError<TunnelErrorCode> {}
