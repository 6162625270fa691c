/** Longest return path kept; a longer one falls back to the default. */
const MAX_RETURN_PATH = 2048;

/**
 * The path a login may return the browser to: only a path on the same origin (`/…`), never a
 * scheme, a protocol-relative `//host`, a backslash form browsers read as one, or control
 * characters. Anything else becomes `fallback`, so a crafted link cannot turn the login into an
 * open redirect.
 */
export function safeReturnPath(raw: string | null | undefined, fallback = '/'): string {
  if (!raw || raw.length > MAX_RETURN_PATH) return fallback;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (!raw.startsWith('/') || /[\\\u0000-\u001f\u007f]/.test(raw) || raw.startsWith('//')) return fallback;
  const base = 'http://return.invalid';
  let url: URL;
  try {
    url = new URL(raw, base);
  } catch {
    return fallback;
  }
  if (url.origin !== base) return fallback;
  return `${url.pathname}${url.search}${url.hash}`;
}
