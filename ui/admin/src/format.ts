/** A time in the viewer's zone, to the second. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** A byte count as B, KiB or MiB. */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Days from now until `iso` (negative when past). */
export function daysUntil(iso: string | null, now = Date.now()): number | undefined {
  if (!iso) return undefined;
  return Math.floor((Date.parse(iso) - now) / 86_400_000);
}

/** A base64 body as text when it is text, else a note of its size and a hex preview. */
export function decodedBody(base64: string): { text: string; binary: boolean } {
  const raw = atob(base64);
  const bytes = Uint8Array.from(raw, (c) => c.charCodeAt(0));
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    try {
      return { text: JSON.stringify(JSON.parse(text), null, 2), binary: false };
    } catch {
      return { text, binary: false };
    }
  } catch {
    const hex = [...bytes.slice(0, 256)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
    return { text: `binary, ${bytes.length} bytes: ${hex}${bytes.length > 256 ? ' …' : ''}`, binary: true };
  }
}
