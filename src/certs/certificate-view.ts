import type { ManagedCertificateRecord } from './cert-records.ts';
import { nearExpiry } from './renewal-schedule.ts';

/** What the admin API shows of a certificate: never its key. */
export interface CertificateView {
  readonly id: string;
  readonly names: readonly string[];
  readonly origin: ManagedCertificateRecord['origin'];
  readonly status: 'pending' | 'valid' | 'near-expiry' | 'expired' | 'revoked';
  readonly issuer: string | null;
  readonly notBefore: string | null;
  readonly notAfter: string | null;
  readonly profile: string | null;
  readonly ariWindow: { start: string; end: string; explanationUrl: string | null } | null;
  readonly renewAt: string;
  readonly failures: number;
  readonly lastError: ManagedCertificateRecord['lastError'] | null;
}

/** A stored certificate as the admin API shows it at `now`. */
export function certificateView(r: ManagedCertificateRecord, now: number): CertificateView {
  return {
    id: r.id,
    names: r.names,
    origin: r.origin,
    status: statusOf(r, now),
    issuer: r.issuer ?? null,
    notBefore: r.notBefore ?? null,
    notAfter: r.notAfter ?? null,
    profile: r.profile ?? null,
    ariWindow: r.ari
      ? { start: r.ari.start, end: r.ari.end, explanationUrl: r.ari.explanationUrl ?? null }
      : null,
    renewAt: r.renewAt,
    failures: r.failures,
    lastError: r.lastError ?? null,
  };
}

function statusOf(r: ManagedCertificateRecord, now: number): CertificateView['status'] {
  if (r.revokedAt) return 'revoked';
  if (!r.notAfter || !r.notBefore) return 'pending';
  const facts = { notBefore: Date.parse(r.notBefore), notAfter: Date.parse(r.notAfter) };
  if (facts.notAfter <= now) return 'expired';
  return nearExpiry(facts, now) ? 'near-expiry' : 'valid';
}
