/** Reads one `Value` message into a FieldValue, keeping members this schema does not know. */
import type { FieldValue } from '../records.ts';
import { LOCATION_FIELD } from './field-names.ts';
import { longToValue } from './integers.ts';
import type { Reader } from './protobuf-schemas.ts';
import { parseLocationText, scientificNumber, shortestFloat32 } from './string-values.ts';
import { memberByNumber, type ValueMember } from './value-members.ts';

const WIRE_TYPE_NAMES = ['varint', '64-bit', 'length-delimited', 'group start', 'group end', '32-bit'];

/** A value of a member newer than this schema: integers as numbers, bytes as base64. */
function readUnknownMember(reader: Reader, wireType: number, number: number): FieldValue {
  const key = `unknown_value_${number}`;
  switch (wireType) {
    case 0:
      return { [key]: longToValue(reader.uint64()) };
    case 1:
      return { [key]: longToValue(reader.fixed64()) };
    case 5:
      return { [key]: reader.fixed32() };
    case 2:
      return { [key]: Buffer.from(reader.bytes()).toString('base64') };
    default: {
      const start = reader.pos;
      reader.skipType(wireType, 0, number);
      return { [key]: Buffer.from(reader.raw(start, reader.pos)).toString('base64') };
    }
  }
}

function readLocation(reader: Reader, length: number): FieldValue {
  const end = reader.pos + length;
  let latitude = 0;
  let longitude = 0;
  while (reader.pos < end) {
    const tag = reader.uint32();
    if (tag === 9) latitude = reader.double();
    else if (tag === 17) longitude = reader.double();
    else reader.skipType(tag & 7);
  }
  return { latitude, longitude };
}

function readString(reader: Reader, key: number): FieldValue {
  const text = reader.string();
  if (key === LOCATION_FIELD) return parseLocationText(text) ?? text;
  return scientificNumber(text) ?? text;
}

function readMember(reader: Reader, member: ValueMember, key: number): FieldValue {
  switch (member.kind) {
    case 'string':
      return readString(reader, key);
    case 'int32':
      return reader.int32();
    case 'int64':
      return longToValue(reader.int64());
    case 'float':
      return shortestFloat32(reader.float());
    case 'double':
      return reader.double();
    case 'bool':
      return reader.bool();
    case 'invalid':
      reader.bool();
      return null;
    case 'location':
      return readLocation(reader, reader.uint32());
    case 'enum': {
      const number = reader.int32();
      return (number >= 0 ? member.enumNames![number] : undefined) ?? `${member.enumName}_${number}`;
    }
    case 'message': {
      const type = member.messageType!;
      return type.toObject(type.decode(reader, reader.uint32()), { defaults: true }) as FieldValue;
    }
  }
}

/**
 * Reads a `Value` of `length` bytes for the field numbered `key`. An empty Value is null; when a
 * sender sets several members the last wins, as protobuf's oneof rules say.
 */
export function readValue(reader: Reader, length: number, key: number): FieldValue {
  const end = reader.pos + length;
  if (end > reader.len) throw new RangeError('value runs past the end of the payload');
  let value: FieldValue = null;
  while (reader.pos < end) {
    const tag = reader.uint32();
    const number = tag >>> 3;
    const wireType = tag & 7;
    if (number === 0) throw new RangeError('a value member has field number 0');
    const member = memberByNumber(number);
    if (!member) {
      value = readUnknownMember(reader, wireType, number);
    } else if (wireType !== member.wireType) {
      throw new RangeError(
        `value member ${member.name} arrived as ${WIRE_TYPE_NAMES[wireType] ?? wireType}, not ${WIRE_TYPE_NAMES[member.wireType]}`,
      );
    } else {
      value = readMember(reader, member, key);
    }
  }
  if (reader.pos !== end) throw new RangeError('a value runs past its length');
  return value;
}
