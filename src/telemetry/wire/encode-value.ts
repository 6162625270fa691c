/** Writes FieldValues as Tesla `Value` messages, choosing the typed member a value calls for. */
import type { FieldValue } from '../records.ts';
import type { Writer } from './protobuf-schemas.ts';
import {
  MESSAGE_MEMBERS,
  memberByEnumName,
  memberByEnumValue,
  memberByName,
  type ValueMember,
} from './value-members.ts';
import { wireError } from './wire-error.ts';

const UNKNOWN_MEMBER = /^unknown_value_(\d+)$/;
const UNKNOWN_ENUM_VALUE = /^([A-Za-z]\w*)_(-?\d+)$/;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function refuse(field: string, reason: string): never {
  throw wireError('TELEMETRY_VALUE_INVALID', `cannot encode ${field}: ${reason}`, field);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function enumNumber(member: ValueMember, value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') {
    const known = member.enumNumbers!.get(value);
    if (known !== undefined) return known;
    const unknown = UNKNOWN_ENUM_VALUE.exec(value);
    if (unknown && unknown[1] === member.enumName) return Number(unknown[2]);
  }
  return refuse(field, `${JSON.stringify(value)} is not a ${member.enumName} value`);
}

function writeMember(writer: Writer, member: ValueMember, value: unknown, field: string): void {
  const tag = (member.number << 3) | member.wireType;
  const mismatch = (): never => refuse(field, `${JSON.stringify(value)} does not fit ${member.name}`);
  switch (member.kind) {
    case 'string':
      if (typeof value !== 'string') mismatch();
      writer.uint32(tag).string(value as string);
      return;
    case 'int32':
      if (typeof value !== 'number' || !Number.isInteger(value) || value < INT32_MIN || value > INT32_MAX)
        mismatch();
      writer.uint32(tag).int32(value as number);
      return;
    case 'int64':
      if (
        !(typeof value === 'number' && Number.isSafeInteger(value)) &&
        !(typeof value === 'string' && /^-?\d{1,19}$/.test(value))
      ) {
        mismatch();
      }
      writer.uint32(tag).int64(value as number | string);
      return;
    case 'float':
    case 'double':
      if (typeof value !== 'number') mismatch();
      if (member.kind === 'float') writer.uint32(tag).float(value as number);
      else writer.uint32(tag).double(value as number);
      return;
    case 'bool':
      if (typeof value !== 'boolean') mismatch();
      writer.uint32(tag).bool(value as boolean);
      return;
    case 'invalid':
      writer.uint32(tag).bool(true);
      return;
    case 'location': {
      if (!isRecord(value) || typeof value['latitude'] !== 'number' || typeof value['longitude'] !== 'number')
        mismatch();
      const location = value as { latitude: number; longitude: number };
      writer
        .uint32(tag)
        .fork()
        .uint32(9)
        .double(location.latitude)
        .uint32(17)
        .double(location.longitude)
        .ldelim();
      return;
    }
    case 'enum':
      writer.uint32(tag).int32(enumNumber(member, value, field));
      return;
    case 'message': {
      const type = member.messageType!;
      if (!isRecord(value) || type.verify(value) !== null) mismatch();
      writer.uint32(tag).fork();
      type.encode(type.fromObject(value as Record<string, unknown>), writer);
      writer.ldelim();
      return;
    }
  }
}

function writeUnknownMember(writer: Writer, number: number, value: unknown, field: string): void {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) {
    writer.uint32(number << 3).uint64(value);
  } else if (typeof value === 'string' && /^\d{1,20}$/.test(value)) {
    writer.uint32(number << 3).uint64(value);
  } else if (typeof value === 'string') {
    writer.uint32((number << 3) | 2).bytes(Buffer.from(value, 'base64'));
  } else {
    refuse(field, `unknown_value_${number} takes an unsigned integer or base64 bytes`);
  }
}

function messageMemberFor(value: Record<string, unknown>): ValueMember | undefined {
  const keys = Object.keys(value);
  return MESSAGE_MEMBERS.find((m) => keys.length > 0 && keys.every((k) => m.messageFields!.includes(k)));
}

function writeObject(writer: Writer, value: Record<string, unknown>, field: string): void {
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const key = keys[0]!;
    const explicit = memberByName(key);
    if (explicit) {
      writeMember(writer, explicit, value[key], field);
      return;
    }
    const unknown = UNKNOWN_MEMBER.exec(key);
    if (unknown) {
      writeUnknownMember(writer, Number(unknown[1]), value[key], field);
      return;
    }
  }
  if (keys.length === 2 && typeof value['latitude'] === 'number' && typeof value['longitude'] === 'number') {
    writeMember(writer, memberByName('location_value')!, value, field);
    return;
  }
  const message = messageMemberFor(value);
  if (message) {
    writeMember(writer, message, value, field);
    return;
  }
  refuse(
    field,
    `${JSON.stringify(value)} is not a location, a Doors/Time/TireLocation object or {<member>: value}`,
  );
}

function writeString(writer: Writer, value: string, field: string): void {
  const member = memberByEnumValue(value);
  if (member) {
    writeMember(writer, member, value, field);
    return;
  }
  const unknown = UNKNOWN_ENUM_VALUE.exec(value);
  const byEnum = unknown ? memberByEnumName(unknown[1]!) : undefined;
  if (byEnum) {
    writeMember(writer, byEnum, value, field);
    return;
  }
  writeMember(writer, memberByName('string_value')!, value, field);
}

function writeNumber(writer: Writer, value: number, field: string): void {
  if (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX) {
    writeMember(writer, memberByName('int_value')!, value, field);
    return;
  }
  if (Number.isSafeInteger(value)) {
    writeMember(writer, memberByName('long_value')!, value, field);
    return;
  }
  writeMember(writer, memberByName('double_value')!, value, field);
}

/**
 * Writes the body of a `Value` for `value`, typed: null → invalid, booleans → boolean_value,
 * integers → int_value or long_value, other numbers → double_value, enum names → their enum
 * member, `{latitude, longitude}` → location_value, `{<member>: v}` → that member exactly (e.g.
 * `{string_value: "61.5"}`, as a vehicle without typed values sends), other strings → string_value.
 */
export function writeValueBody(writer: Writer, value: FieldValue, field: string): void {
  if (value === null) {
    writeMember(writer, memberByName('invalid')!, true, field);
    return;
  }
  switch (typeof value) {
    case 'boolean':
      writeMember(writer, memberByName('boolean_value')!, value, field);
      return;
    case 'number':
      writeNumber(writer, value, field);
      return;
    case 'string':
      writeString(writer, value, field);
      return;
    case 'object':
      writeObject(writer, value as Record<string, unknown>, field);
      return;
    default:
      refuse(field, `a ${typeof value} is not a telemetry value`);
  }
}
