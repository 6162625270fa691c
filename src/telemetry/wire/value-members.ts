/**
 * The members of Tesla's `Value` oneof, read once from the schema into a table indexed by member
 * number, so decoding a value is one array lookup rather than a reflection walk.
 */
import protobuf from 'protobufjs';
import { schemas } from './protobuf-schemas.ts';

/** How a member's value is carried. */
export type MemberKind =
  | 'string'
  | 'int32'
  | 'int64'
  | 'float'
  | 'double'
  | 'bool'
  | 'invalid'
  | 'location'
  | 'enum'
  | 'message';

/** One `Value` member. */
export interface ValueMember {
  readonly number: number;
  /** The schema's name, e.g. `shift_state_value`. */
  readonly name: string;
  readonly kind: MemberKind;
  /** The protobuf wire type the member must arrive with. */
  readonly wireType: number;
  /** For enums: the enum's name, its value names by number and numbers by name. */
  readonly enumName?: string;
  readonly enumNames?: readonly (string | undefined)[];
  readonly enumNumbers?: ReadonlyMap<string, number>;
  /** For messages other than LocationValue: the type, and its field names for telling inputs apart. */
  readonly messageType?: protobuf.Type;
  readonly messageFields?: readonly string[];
}

const SCALARS: Readonly<Record<string, [MemberKind, number]>> = {
  string: ['string', 2],
  int32: ['int32', 0],
  int64: ['int64', 0],
  float: ['float', 5],
  double: ['double', 1],
  bool: ['bool', 0],
};

function memberOf(field: protobuf.Field): ValueMember {
  const base = { number: field.id, name: field.name };
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    const enumNames: (string | undefined)[] = [];
    const enumNumbers = new Map<string, number>();
    for (const [name, number] of Object.entries(resolved.values)) {
      if (number >= 0 && enumNames[number] === undefined) enumNames[number] = name;
      enumNumbers.set(name, number);
    }
    return { ...base, kind: 'enum', wireType: 0, enumName: resolved.name, enumNames, enumNumbers };
  }
  if (resolved instanceof protobuf.Type) {
    if (resolved.name === 'LocationValue') return { ...base, kind: 'location', wireType: 2 };
    return {
      ...base,
      kind: 'message',
      wireType: 2,
      messageType: resolved,
      messageFields: resolved.fieldsArray.map((f) => f.name),
    };
  }
  if (field.name === 'invalid') return { ...base, kind: 'invalid', wireType: 0 };
  const scalar = SCALARS[field.type];
  if (!scalar)
    throw new Error(`Value member ${field.name} has a type the codec does not handle: ${field.type}`);
  return { ...base, kind: scalar[0], wireType: scalar[1] };
}

const BY_NUMBER: (ValueMember | undefined)[] = [];
const BY_NAME = new Map<string, ValueMember>();
/** Enum value names are unique across the package, so a name alone says which member carries it. */
const BY_ENUM_VALUE = new Map<string, ValueMember>();
const BY_ENUM_NAME = new Map<string, ValueMember>();
for (const field of schemas.value.fieldsArray) {
  const member = memberOf(field);
  BY_NUMBER[member.number] = member;
  BY_NAME.set(member.name, member);
  if (member.kind === 'enum') {
    for (const name of member.enumNumbers!.keys()) BY_ENUM_VALUE.set(name, member);
    BY_ENUM_NAME.set(member.enumName!, member);
  }
}

/** The member with this number, if the schema has it. */
export function memberByNumber(number: number): ValueMember | undefined {
  return BY_NUMBER[number];
}

/** The member with this schema name (`float_value`, `invalid`, …). */
export function memberByName(name: string): ValueMember | undefined {
  return BY_NAME.get(name);
}

/** The enum member one of whose value names is `name` (`ShiftStateD` → shift_state_value). */
export function memberByEnumValue(name: string): ValueMember | undefined {
  return BY_ENUM_VALUE.get(name);
}

/** The enum member whose enum type is called `enumName` (`ShiftState` → shift_state_value). */
export function memberByEnumName(enumName: string): ValueMember | undefined {
  return BY_ENUM_NAME.get(enumName);
}

/** Every member with a message type other than LocationValue (Doors, Time, TireLocation). */
export const MESSAGE_MEMBERS: readonly ValueMember[] = [...BY_NAME.values()].filter(
  (m) => m.kind === 'message',
);
