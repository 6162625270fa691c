/** How values vehicles send as text are read: locations and numbers in scientific notation. */

/** `(37.412374 N, 122.145867 W)`: what vehicles without typed values send for `Location`. */
const LOCATION_TEXT =
  /^\(\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([NS])\s*,\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*([EW])\s*\)$/;

/** A decimal with an exponent, e.g. `1.5e-3`; plain decimals stay text (they may be names or versions). */
const SCIENTIFIC = /^[+-]?(?:\d*\.\d+|\d+\.\d*)[eE][+-]?\d+$/;

/** A location in text form as latitude and longitude (south and west negative); undefined if not one. */
export function parseLocationText(text: string): { latitude: number; longitude: number } | undefined {
  const match = LOCATION_TEXT.exec(text);
  if (!match) return undefined;
  const latitude = Number(match[1]) * (match[2] === 'S' ? -1 : 1);
  const longitude = Number(match[3]) * (match[4] === 'W' ? -1 : 1);
  if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) return undefined;
  return { latitude, longitude };
}

/** The number a string in scientific notation stands for; undefined for any other string. */
export function scientificNumber(text: string): number | undefined {
  if (text.length > 64 || !SCIENTIFIC.test(text)) return undefined;
  const number = Number(text);
  return Number.isFinite(number) ? number : undefined;
}

/**
 * A float32 as the shortest decimal that reads back as the same float32: the wire's 61.3 is
 * 61.29999923706055 as a double, and dashboards should show 61.3.
 */
export function shortestFloat32(value: number): number {
  if (!Number.isFinite(value) || Number.isInteger(value)) return value;
  // Most readings have a few decimals: find them with arithmetic before resorting to strings.
  for (let places = 1, scale = 10; places <= 6; places++, scale *= 10) {
    const candidate = Math.round(value * scale) / scale;
    if (Math.fround(candidate) === value) return candidate;
  }
  for (let digits = 1; digits < 9; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (Math.fround(candidate) === value) return candidate;
  }
  return value;
}
