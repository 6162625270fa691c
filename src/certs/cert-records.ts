import { byCreation, type CollectionSpec } from '../store/collection.ts';
import { type ExpiringSpec, expiringCollection } from '../store/expiring.ts';
import type { EphemeralRepository } from '../store/types.ts';
import type { AcmeProblem } from './cert-error.ts';

/** A failed attempt, kept on the certificate until one succeeds. */
export interface CertificateFailure {
  readonly at: string;
  readonly code: string;
  /** What went wrong and what to do, in words. */
  readonly message: string;
  /** The CA's problem document, when it sent one. */
  readonly problem?: AcmeProblem | undefined;
}

/**
 * A certificate Gatehouse orders and renews by ACME, shared by every node. The private key is
 * sealed with the secret key and bound to the record's id; the chain is public.
 */
export interface ManagedCertificateRecord {
  readonly id: string;
  /** The names it carries (or will, once issued), sorted. */
  readonly names: readonly string[];
  /** `config`: from routes and settings; `on-demand`: certified at a first handshake. */
  readonly origin: 'config' | 'on-demand';
  /** The directory URL it was ordered from. */
  readonly directory: string;
  /** The chain, leaf first; absent until the first issuance. */
  readonly chainPem?: string | undefined;
  /** The private key (PEM), sealed (AES-256-GCM) and bound to `id`. */
  readonly sealedKey?: string | undefined;
  readonly issuer?: string | undefined;
  readonly notBefore?: string | undefined;
  readonly notAfter?: string | undefined;
  /** The profile the order asked for, when one was. */
  readonly profile?: string | undefined;
  /** Its RFC 9773 identifier, when the certificate has an Authority Key Identifier. */
  readonly ariId?: string | undefined;
  /** The CA's suggested renewal window, and when to ask again. */
  readonly ari?:
    | {
        readonly start: string;
        readonly end: string;
        readonly explanationUrl?: string | undefined;
        readonly checkAfter: string;
      }
    | undefined;
  /** When it is renewed (or first ordered, or retried after a failure). */
  readonly renewAt: string;
  /** Failed attempts in a row since the last success. */
  readonly failures: number;
  readonly lastError?: CertificateFailure | undefined;
  /** Asked to be renewed at once through the admin API. */
  readonly forced?: boolean | undefined;
  readonly revokedAt?: string | undefined;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Every managed certificate, by id. */
export const MANAGED_CERTIFICATES: CollectionSpec<ManagedCertificateRecord> = {
  name: 'acmecertificates',
  topic: 'acmeCertificates',
  key: (c) => c.id,
  order: byCreation((c) => c.id),
};

/** The ACME account of one directory: its key sealed, its URL once registered. */
export interface AcmeAccountRecord {
  /** The directory URL: one account per CA. */
  readonly directory: string;
  /** The account key (PEM), sealed and bound to `directory`. */
  readonly sealedKey: string;
  readonly accountUrl?: string | undefined;
  readonly email?: string | undefined;
  readonly createdAt: string;
}

/** ACME accounts, by directory URL. */
export const ACME_ACCOUNTS: CollectionSpec<AcmeAccountRecord> = {
  name: 'acmeaccounts',
  topic: 'acmeAccounts',
  key: (a) => a.directory,
  order: byCreation((a) => a.directory),
};

/** HTTP-01 key authorizations by token: any node answers the CA's request. */
export const HTTP01_TOKENS: ExpiringSpec<string> = { name: 'acme-http01' };

/** TLS-ALPN-01 answer certificates by name (RFC 8737): throwaway keys, so kept as they are. */
export const ALPN_CHALLENGES: ExpiringSpec<{ readonly cert: string; readonly key: string }> = {
  name: 'acme-tlsalpn01',
};

/** Who orders a certificate now: one node at a time per certificate. */
export const ORDER_LEASES: ExpiringSpec<{ readonly node: string }> = { name: 'acme-order' };

/** The typed expiring records of certificates. */
export function challengeStores(ephemeral: EphemeralRepository) {
  return {
    http01: expiringCollection(ephemeral, HTTP01_TOKENS),
    alpn: expiringCollection(ephemeral, ALPN_CHALLENGES),
    leases: expiringCollection(ephemeral, ORDER_LEASES),
  };
}
