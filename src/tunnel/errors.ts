import { GatehouseError, type TunnelErrorCode } from '../errors.ts';

export type { TunnelErrorCode };

/** A tunnel that cannot be created, reached or used as asked. */
export class TunnelError extends GatehouseError<TunnelErrorCode> {}
