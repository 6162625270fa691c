/**
 * Characters that have no place in a name, URL or header value someone typed: C0 and C1 controls
 * (NUL, CR, LF among them: header injection), DEL, and the bidirectional controls that make text
 * read otherwise than they are stored (U+202E followed by `txt.exe` reads as `exe.txt`).
 */

/** The first unsafe character of a text: where it is and what it is. */
export interface UnsafeCharacter {
  /** Its code point. */
  readonly codePoint: number;
  /** Its position, counted in characters from 1. */
  readonly position: number;
  /** What sort of character it is, for the message. */
  readonly sort: 'a control character' | 'a bidirectional control' | 'a line separator';
}

/** Unicode names of the unsafe characters people meet, so a message names them plainly. */
const NAMES: Readonly<Record<number, string>> = {
  0: 'NULL',
  9: 'CHARACTER TABULATION',
  10: 'LINE FEED',
  13: 'CARRIAGE RETURN',
  27: 'ESCAPE',
  127: 'DELETE',
  133: 'NEXT LINE',
  1564: 'ARABIC LETTER MARK',
  8206: 'LEFT-TO-RIGHT MARK',
  8207: 'RIGHT-TO-LEFT MARK',
  8232: 'LINE SEPARATOR',
  8233: 'PARAGRAPH SEPARATOR',
  8234: 'LEFT-TO-RIGHT EMBEDDING',
  8235: 'RIGHT-TO-LEFT EMBEDDING',
  8236: 'POP DIRECTIONAL FORMATTING',
  8237: 'LEFT-TO-RIGHT OVERRIDE',
  8238: 'RIGHT-TO-LEFT OVERRIDE',
  8294: 'LEFT-TO-RIGHT ISOLATE',
  8295: 'RIGHT-TO-LEFT ISOLATE',
  8296: 'FIRST STRONG ISOLATE',
  8297: 'POP DIRECTIONAL ISOLATE',
};

function sortOf(code: number, allowTab: boolean): UnsafeCharacter['sort'] | undefined {
  if (code < 0x20) return code === 0x09 && allowTab ? undefined : 'a control character';
  if (code === 0x7f || (code >= 0x80 && code <= 0x9f)) return 'a control character';
  if (
    (code >= 0x202a && code <= 0x202e) ||
    (code >= 0x2066 && code <= 0x2069) ||
    code === 0x200e ||
    code === 0x200f ||
    code === 0x061c
  )
    return 'a bidirectional control';
  if (code === 0x2028 || code === 0x2029) return 'a line separator';
  return undefined;
}

/** The first unsafe character of `text`, or undefined; `allowTab` lets TAB through (header values may hold it). */
export function findUnsafeCharacter(
  text: string,
  options: { readonly allowTab?: boolean } = {},
): UnsafeCharacter | undefined {
  let position = 0;
  for (const char of text) {
    position++;
    const codePoint = char.codePointAt(0)!;
    const sort = sortOf(codePoint, options.allowTab ?? false);
    if (sort) return { codePoint, position, sort };
  }
  return undefined;
}

/** `U+202E RIGHT-TO-LEFT OVERRIDE (a bidirectional control) at character 5`. */
export function describeUnsafeCharacter(found: UnsafeCharacter): string {
  const hex = found.codePoint.toString(16).toUpperCase().padStart(4, '0');
  const name = NAMES[found.codePoint];
  return `U+${hex}${name ? ` ${name}` : ''} (${found.sort}) at character ${found.position}`;
}
