import type { RenewalInfo } from './acme-ca.ts';
import type { CertError } from './cert-error.ts';
import type { ManagedCertificateRecord } from './cert-records.ts';
import { nextAriCheck, renewalTime, retryTime } from './renewal-schedule.ts';

const iso = (ms: number) => new Date(ms).toISOString();

/** The record's `ari` field from an ARI answer: the window, its explanation, and when to ask again. */
export function ariFields(info: RenewalInfo | undefined, now: number): Pick<ManagedCertificateRecord, 'ari'> {
  if (!info?.window) return {};
  return {
    ari: {
      start: iso(info.window.start),
      end: iso(info.window.end),
      ...(info.explanationUrl ? { explanationUrl: info.explanationUrl } : {}),
      checkAfter: iso(nextAriCheck(now, info.retryAfterSeconds)),
    },
  };
}

/**
 * A certificate after a fresh ARI answer: a window that moved moves the renewal time into it;
 * without a usable window this time, the last one stands and is asked about again later.
 */
export function withRenewalInfo(
  c: ManagedCertificateRecord,
  info: RenewalInfo | undefined,
  now: number,
  random: () => number,
): ManagedCertificateRecord {
  const window = info?.window;
  const moved =
    window && (!c.ari || Date.parse(c.ari.start) !== window.start || Date.parse(c.ari.end) !== window.end);
  const lifetime = { notBefore: Date.parse(c.notBefore!), notAfter: Date.parse(c.notAfter!) };
  const recheck = c.ari
    ? { ari: { ...c.ari, checkAfter: iso(nextAriCheck(now, info?.retryAfterSeconds)) } }
    : {};
  return {
    ...c,
    ...(window ? ariFields(info, now) : recheck),
    ...(moved ? { renewAt: iso(renewalTime(lifetime, window, random)) } : {}),
    updatedAt: iso(now),
  };
}

/** A certificate after a failed attempt: counted, its error kept, its next attempt backed off. */
export function withFailure(
  c: ManagedCertificateRecord,
  failure: CertError,
  now: number,
): ManagedCertificateRecord {
  return {
    ...c,
    failures: c.failures + 1,
    forced: false,
    renewAt: iso(
      retryTime(now, c.failures + 1, {
        notAfter: c.notAfter ? Date.parse(c.notAfter) : undefined,
        retryAfterSeconds: failure.retryAfterSeconds,
      }),
    ),
    lastError: {
      at: iso(now),
      code: failure.code,
      message: failure.message,
      ...(failure.problem ? { problem: failure.problem } : {}),
    },
    updatedAt: iso(now),
  };
}
