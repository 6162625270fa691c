import { type AdminErrorCode, GatehouseError } from '../core/errors.ts';

export type { AdminErrorCode };

/** A request to the admin API that cannot be carried out as asked. */
export class AdminError extends GatehouseError<AdminErrorCode> {}
