import { GatehouseError, type TelemetryErrorCode } from '../../core/errors.ts';

/** A wire-format error; `what` names the part that was wrong, for the message and `field`. */
export function wireError(code: TelemetryErrorCode, message: string, what?: string): GatehouseError {
  return new GatehouseError(code, message, what === undefined ? undefined : { field: what });
}

/**
 * Runs a decoder over untrusted bytes and turns whatever the low-level readers throw (protobufjs
 * raises RangeError on truncation, Error on a bad wire type) into one clean `code` error.
 */
export function decodeOrFail<T>(code: TelemetryErrorCode, what: string, decode: () => T): T {
  try {
    return decode();
  } catch (error) {
    if (error instanceof GatehouseError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new GatehouseError(
      code,
      `${what} is not valid (${reason}); the sender must encode it with Tesla's telemetry schema`,
      { field: what, cause: error },
    );
  }
}
