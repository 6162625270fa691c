import { z } from 'zod';
import { hostPattern } from '../routes/route.ts';

/** Directories known by name; any other value must be the directory's URL. */
export const ACME_DIRECTORIES = {
  letsencrypt: 'https://acme-v02.api.letsencrypt.org/directory',
  'letsencrypt-staging': 'https://acme-staging-v02.api.letsencrypt.org/directory',
} as const;

const onOff = z.preprocess((value) => {
  if (typeof value !== 'string') return value;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  return value;
}, z.boolean());

/** A comma-separated list on the command line, an array in a file. */
const hostList = z.preprocess(
  (v) =>
    typeof v === 'string'
      ? v
          .split(',')
          .map((d) => d.trim())
          .filter(Boolean)
      : v,
  z.array(hostPattern),
);

/**
 * Automatic certificates by ACME: on when a directory or an email is given. Names come from
 * routes with `tls: "auto"`, the admin and auth hosts, `hosts`, and the telemetry host with
 * `--telemetry-cert auto`.
 */
export const acmeConfig = z
  .object({
    /** `letsencrypt`, `letsencrypt-staging`, or a directory URL; Let's Encrypt when only an email is given. */
    directory: z
      .string()
      .min(1)
      .refine((d) => d in ACME_DIRECTORIES || /^https?:\/\//.test(d), {
        message: `must be ${Object.keys(ACME_DIRECTORIES).join(' or ')}, or the directory's https:// URL`,
      })
      .optional(),
    email: z.string().email('must be an email address').optional(),
    /** A profile the CA offers (`classic`, `tlsserver`, `shortlived` at Let's Encrypt). */
    profile: z
      .string()
      .regex(/^[a-zA-Z0-9._-]{1,64}$/, 'must be a profile name such as tlsserver')
      .optional(),
    /** External Account Binding: key id and base64url HMAC key from the CA's dashboard. */
    eabKid: z.string().min(1).optional(),
    eabHmacKey: z.string().min(1).optional(),
    /** `http-01` needs port 80 to reach Gatehouse; `tls-alpn-01` port 443. Default: http-01 when there is an HTTP listener. */
    challenge: z.enum(['http-01', 'tls-alpn-01']).optional(),
    /** Certify any name a route serves at its first handshake. */
    onDemand: onOff.default(false),
    /** On-demand orders one node places per hour at most. */
    onDemandPerHour: z.coerce.number().int().min(1).max(10_000).default(20),
    /** More names to certify besides the routes'. */
    hosts: hostList.default([]),
    /** A CA bundle (PEM) to trust for the directory's own HTTPS: a private or test CA. */
    directoryCa: z.string().min(1).optional(),
  })
  .strict()
  .refine((a) => (a.eabKid === undefined) === (a.eabHmacKey === undefined), {
    message: 'eabKid and eabHmacKey must be given together',
    path: ['eabHmacKey'],
  });

/** The ACME settings as configured. */
export type AcmeConfig = z.infer<typeof acmeConfig>;

/** Whether automatic certificates are on: a directory or an email was given. */
export function acmeEnabled(acme: AcmeConfig): boolean {
  return acme.directory !== undefined || acme.email !== undefined;
}

/** The directory URL: a known name's, the URL given, or Let's Encrypt's. */
export function acmeDirectoryUrl(acme: AcmeConfig): string {
  const d = acme.directory ?? 'letsencrypt';
  return (ACME_DIRECTORIES as Record<string, string>)[d] ?? d;
}
