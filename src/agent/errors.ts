import { GatehouseError } from '../errors.ts';

/** Codes of {@link InspectorError}. */
export type InspectorErrorCode =
  | 'INSPECTOR_HOST_REFUSED'
  | 'INSPECTOR_ORIGIN_REFUSED'
  | 'INSPECTOR_TOKEN_REQUIRED'
  | 'INSPECTOR_TOKEN_INVALID'
  | 'NOT_FOUND'
  | 'BODY_NOT_CAPTURED';

/** A request to the agent's inspector that it will not carry out. */
export class InspectorError extends GatehouseError {
  readonly code: InspectorErrorCode;
  constructor(code: InspectorErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}
