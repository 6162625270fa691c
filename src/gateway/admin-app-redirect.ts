import { ADMIN_APP_PATH } from '../admin/admin-app-mount.ts';

/** The loopback admin hosts: plain http there never leaves the machine. */
const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Whether the admin web app may be sent back to `uri` with a code: the app itself (`/ui/`),
 * written exactly as a browser writes it, on an admin host and any port, no userinfo, query or
 * fragment; https, or http when the issuer is http or the host is loopback.
 */
export function adminAppRedirect(adminHosts: ReadonlySet<string>, issuer: string): (uri: string) => boolean {
  const plainIssuer = new URL(issuer).protocol === 'http:';
  return (uri) => {
    const url = URL.parse(uri);
    // Written as a browser writes the page's own address; an empty `?` or `#` still counts.
    if (!url || url.href !== uri || /[?#@]/.test(uri)) return false;
    if (url.pathname !== `${ADMIN_APP_PATH}/` || !adminHosts.has(url.hostname)) return false;
    if (url.protocol === 'https:') return true;
    return url.protocol === 'http:' && (plainIssuer || LOOPBACK.has(url.hostname));
  };
}
