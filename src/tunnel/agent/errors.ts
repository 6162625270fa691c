import { GatehouseError, type InspectorErrorCode } from '../../core/errors.ts';

export type { InspectorErrorCode };

/** A request to the agent's inspector that it will not carry out. */
export class InspectorError extends GatehouseError<InspectorErrorCode> {}
