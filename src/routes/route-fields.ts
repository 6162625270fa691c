import { z } from 'zod';
import { plainText } from '../http/plain-text.ts';

const DNS_LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/i;
// Field values are tab, visible ASCII and Latin-1 (RFC 9110 section 5.5) but its C1 controls:
// nothing Node would refuse to write. Control characters (CR, LF and NUL are how header injection
// starts) are refused first, by plainText, with a message naming the one found.
const HEADER_VALUE = /^[\t\x20-\x7e\xa0-\xff]*$/;

/** True when `name` is a DNS host name made of valid labels. */
function isHostName(name: string): boolean {
  if (name.length === 0 || name.length > 253) return false;
  return name.split('.').every((label) => DNS_LABEL.test(label));
}

/** A route host: an exact name, `*.` followed by a name (one label of wildcard), or `*` for any host. */
export const hostPattern = z
  .string()
  .trim()
  .toLowerCase()
  .refine((h) => h === '*' || isHostName(h.startsWith('*.') ? h.slice(2) : h) || isIpLiteral(h), {
    message: 'must be a host name (app.example.com), a wildcard (*.example.com) or *; no port or scheme',
  });

function isIpLiteral(h: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || /^\[[0-9a-f:.]+\]$/.test(h);
}

/** A path prefix: starts with `/`, no dot segments, query or fragment; stored without trailing slash. */
export const pathPrefix = z
  .string()
  .trim()
  .superRefine(plainText())
  .refine((p) => p.startsWith('/'), { message: 'must start with /' })
  .refine((p) => !/[?#\s]/.test(p), { message: 'must not contain a query, fragment or white space' })
  .refine((p) => !p.split('/').some((s) => s === '.' || s === '..'), {
    message: 'must not contain . or .. segments',
  })
  .transform((p) => (p.length > 1 ? p.replace(/\/+$/, '') || '/' : p));

/** The upstream a route forwards to: an absolute http(s) URL, optionally with a base path. */
export const targetUrl = z
  .string()
  .trim()
  // Before parsing: the URL parser drops CR, LF and TAB without a word, the stored text keeps them.
  .superRefine(plainText())
  .refine(
    (t) => {
      try {
        const u = new URL(t);
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname !== '';
      } catch {
        return false;
      }
    },
    { message: 'must be an absolute http:// or https:// URL' },
  )
  .refine((t) => URL.canParse(t) && new URL(t).username === '' && new URL(t).password === '', {
    message: 'must not contain credentials',
  })
  .refine((t) => URL.canParse(t) && new URL(t).search === '' && new URL(t).hash === '', {
    message: 'must not contain a query or fragment',
  });

/** A header field name. */
export const headerName = z.string().regex(HEADER_NAME, { message: 'must be a valid header name' });
/** A header field value. */
export const headerValue = z
  .string()
  .superRefine(plainText({ allowTab: true }))
  .regex(HEADER_VALUE, {
    message: 'must not contain characters beyond Latin-1; percent-encode them, or use ASCII',
  });

/** Headers to set (replacing any present) and to remove, on the request or the response. */
export const headerRules = z
  .object({
    set: z.record(headerName, headerValue).default({}),
    remove: z.array(headerName).default([]),
  })
  .strict();

/** Per-route timeouts in milliseconds; 0 turns the idle timeout off. */
export const routeTimeouts = z
  .object({
    connectMs: z.number().int().min(1).max(600_000).default(10_000),
    responseMs: z.number().int().min(1).max(3_600_000).default(60_000),
    idleMs: z.number().int().min(0).max(86_400_000).default(300_000),
  })
  .strict();
