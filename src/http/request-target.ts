/** The request-target of an incoming request, split and normalised for routing. */
export interface RequestTarget {
  /** Path with unreserved percent-escapes decoded and dot segments removed. */
  readonly path: string;
  /** The query including its leading `?`, or the empty string. */
  readonly search: string;
}

const UNRESERVED_ESCAPE = /%([0-9a-fA-F]{2})/g;

/**
 * Parses an origin-form request-target (`/path?query`). Returns undefined for anything else
 * (absolute-form, authority-form, `*`), which the edge refuses.
 *
 * Routing must see the path the upstream will see, so `/%61pi/../admin` is matched as `/admin`.
 */
export function parseRequestTarget(raw: string): RequestTarget | undefined {
  if (!raw.startsWith('/') || raw.startsWith('//')) return undefined;
  const q = raw.indexOf('?');
  const rawPath = q === -1 ? raw : raw.slice(0, q);
  const search = q === -1 ? '' : raw.slice(q);
  const hashAt = rawPath.indexOf('#');
  const pathOnly = hashAt === -1 ? rawPath : rawPath.slice(0, hashAt);
  const decoded = pathOnly.replace(UNRESERVED_ESCAPE, (percentEscape, hex: string) => {
    const ch = String.fromCharCode(Number.parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(ch) ? ch : percentEscape.toUpperCase();
  });
  return { path: removeDotSegments(decoded), search };
}

/**
 * A raw request-target as the access log shows it: the query is left out (it carries OAuth codes,
 * states and tokens), and so is any `user:pass@` of an absolute-form target.
 */
export function targetForLog(raw: string): string {
  const end = raw.search(/[?#]/);
  const path = end === -1 ? raw : raw.slice(0, end);
  return path.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/\\]*@/i, '$1');
}

/** RFC 3986 section 5.2.4 on an absolute path. */
export function removeDotSegments(path: string): string {
  const out: string[] = [];
  const segments = path.split('/').slice(1);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    const last = i === segments.length - 1;
    if (segment === '.') {
      if (last) out.push('');
    } else if (segment === '..') {
      out.pop();
      if (last) out.push('');
    } else {
      out.push(segment);
    }
  }
  return `/${out.join('/')}`;
}

/** True when `path` is `prefix` itself or lies below it on a segment boundary. */
export function pathHasPrefix(path: string, prefix: string): boolean {
  if (prefix === '/') return true;
  return path === prefix || (path.startsWith(prefix) && path.charCodeAt(prefix.length) === 47) /* / */;
}

/** Lower-cases a Host header value and drops its port and any trailing dot. */
export function normalizeHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end === -1 ? h : h.slice(0, end + 1);
  }
  const colon = h.indexOf(':');
  if (colon !== -1) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}
