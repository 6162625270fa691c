/** How the inspector shows a body: as data it can pretty-print, as text, or as bytes. */
export type BodyKind = 'empty' | 'json' | 'form' | 'text' | 'binary';

/** A body as the inspector API gives it. */
export interface ShownBody {
  /** Bytes kept for the inspector (at most its capture limit). */
  readonly bytes: number;
  /** Bytes that crossed, kept or not. */
  readonly total: number;
  readonly contentType: string | null;
  readonly kind: BodyKind;
  /** The kept bytes as UTF-8, for every kind but binary (empty there). */
  readonly text: string;
  /** `utf8` for text; `base64` when {@link base64} carries the bytes (binary). */
  readonly encoding: 'utf8' | 'base64';
  /** The kept bytes of a binary body, so a replay can send them back unchanged. */
  readonly base64?: string;
  /** The first bytes of a binary body as a hex dump (offset, hex, ASCII), never decoded as text. */
  readonly hex?: string;
}

/** How many bytes of a binary body the hex preview shows. */
const HEX_PREVIEW_BYTES = 512;

/** Tab, newline, form feed, carriage return. */
const TEXT_CONTROLS = new Set([0x09, 0x0a, 0x0c, 0x0d]);

/** True when the bytes are not text a person can read: invalid UTF-8, or control bytes. */
export function looksBinary(bytes: Buffer): boolean {
  // Control bytes other than tab, newline, form feed and carriage return; UTF-8 never uses them otherwise.
  for (const byte of bytes) if ((byte < 0x20 && !TEXT_CONTROLS.has(byte)) || byte === 0x7f) return true;
  return bytes.toString('utf8').includes('\uFFFD');
}

/** `00000000  7b 22 61 22 …  {"a"…`: sixteen bytes a line. */
export function hexDump(bytes: Buffer, limit = HEX_PREVIEW_BYTES): string {
  const lines: string[] = [];
  const shown = bytes.subarray(0, limit);
  for (let offset = 0; offset < shown.length; offset += 16) {
    const row = shown.subarray(offset, offset + 16);
    const hex = [...row].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    const ascii = [...row].map((b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
    lines.push(`${offset.toString(16).padStart(8, '0')}  ${hex.padEnd(47)}  ${ascii}`);
  }
  if (bytes.length > limit) lines.push(`… ${bytes.length - limit} more bytes`);
  return lines.join('\n');
}

function headerValue(headers: Record<string, string | string[]>, name: string): string | null {
  const value = headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}

function kindOf(bytes: Buffer, contentType: string | null): BodyKind {
  if (bytes.length === 0) return 'empty';
  if (looksBinary(bytes)) return 'binary';
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  // Unlabelled JSON is still shown as JSON when it parses.
  if (!type && /^\s*[[{]/.test(bytes.toString('utf8'))) {
    try {
      JSON.parse(bytes.toString('utf8'));
      return 'json';
    } catch {
      return 'text';
    }
  }
  return 'text';
}

/** A kept body as the inspector shows it, labelled by its headers' content type and its bytes. */
export function showBody(
  chunks: readonly Buffer[],
  total: number,
  headers: Record<string, string | string[]>,
): ShownBody {
  const bytes = Buffer.concat(chunks);
  const contentType = headerValue(headers, 'content-type');
  const kind = kindOf(bytes, contentType);
  const base = { bytes: bytes.length, total: Math.max(total, bytes.length), contentType, kind };
  return kind === 'binary'
    ? { ...base, text: '', encoding: 'base64', base64: bytes.toString('base64'), hex: hexDump(bytes) }
    : { ...base, text: bytes.toString('utf8'), encoding: 'utf8' };
}

/** Raw bytes as they crossed the tunnel: the head as text, a binary body as a hex dump. */
export function showRaw(chunks: readonly Buffer[] | undefined): { bytes: number; text: string } | null {
  if (!chunks) return null;
  const bytes = Buffer.concat(chunks);
  const split = bytes.indexOf('\r\n\r\n');
  const headEnd = split === -1 ? bytes.length : split + 4;
  const head = bytes.subarray(0, headEnd).toString('latin1');
  const body = bytes.subarray(headEnd);
  const shown = body.length === 0 ? '' : looksBinary(body) ? hexDump(body) : body.toString('utf8');
  return { bytes: bytes.length, text: head + shown };
}
