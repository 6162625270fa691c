import { type AdminErrorCode, GatehouseError } from '../errors.ts';

export type { AdminErrorCode };

/** A request to the admin API that cannot be carried out as asked. */
export class AdminError extends GatehouseError<AdminErrorCode> {}
