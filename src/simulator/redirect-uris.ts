const escapeRegex = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Whether `uri` is in an app's allowlist. Entries match exactly, except that `:*` stands for any
 * port, and an entry that is an origin alone (`http://localhost:*`) allows any path under it.
 */
export function redirectAllowed(allowlist: readonly string[], uri: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(uri);
  } catch {
    return false;
  }
  if (parsed.hash || parsed.username || parsed.password) return false;
  return allowlist.some((entry) => {
    const originOnly = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]+\/?$/i.test(entry);
    const base = originOnly ? entry.replace(/\/$/, '') : entry;
    const pattern = base.split(':*').map(escapeRegex).join(':\\d{1,5}');
    return new RegExp(`^${pattern}${originOnly ? '(?:[/?].*)?' : ''}$`).test(uri);
  });
}
