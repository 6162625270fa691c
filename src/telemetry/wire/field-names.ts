import { schemas } from './protobuf-schemas.ts';

const NAMES: string[] = [];
const NUMBERS = new Map<string, number>();
for (const [name, number] of Object.entries(schemas.field.values)) {
  NAMES[number] = name;
  NUMBERS.set(name, number);
}
const UNKNOWN_FIELD = /^Field_(-?\d+)$/;

/** Tesla's name for a `Field` number; a number this schema does not know is `Field_<n>`. */
export function fieldName(number: number): string {
  return (number >= 0 ? NAMES[number] : undefined) ?? `Field_${number}`;
}

/** The `Field` number of a Tesla field name or of `Field_<n>`; undefined for anything else. */
export function fieldNumber(name: string): number | undefined {
  const known = NUMBERS.get(name);
  if (known !== undefined) return known;
  const unknown = UNKNOWN_FIELD.exec(name);
  if (!unknown) return undefined;
  const number = Number(unknown[1]);
  return Number.isSafeInteger(number) && number >= -(2 ** 31) && number < 2 ** 31 ? number : undefined;
}

/** The `Location` field's number: a string value there is converted to a location. */
export const LOCATION_FIELD = NUMBERS.get('Location') ?? 21;
