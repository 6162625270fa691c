import type protobuf from 'protobufjs';

/** What protobufjs gives for a 64-bit integer: a Long (with the `long` package) or a number. */
export type WireLong = protobuf.Long | number;

const TWO_TO_32 = 4_294_967_296;

/** A 64-bit integer as a number when it is exactly representable, else as its decimal string. */
export function longToValue(value: WireLong): number | string {
  if (typeof value === 'number') return value;
  // Beyond 2^53 the sum rounds to a value that is no longer a safe integer, so the check is exact.
  const number = longToNumber(value);
  if (Number.isSafeInteger(number)) return number;
  const bits = (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return (value.unsigned ? BigInt.asUintN(64, bits) : BigInt.asIntN(64, bits)).toString();
}

/** A 64-bit integer as a number, rounded beyond 2^53 (for times, where that cannot matter). */
export function longToNumber(value: WireLong): number {
  if (typeof value === 'number') return value;
  const high = value.unsigned ? value.high >>> 0 : value.high;
  return high * TWO_TO_32 + (value.low >>> 0);
}
