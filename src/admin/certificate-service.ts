import { CertError } from '../certs/cert-error.ts';
import type { AdminDeps } from './deps.ts';

/** What a certificate id may be. */
const ID = /^[a-f0-9]{1,64}$/;

/**
 * The automatic certificates, as the admin API and the MCP tools both see them: names, issuer,
 * expiry, profile, ARI window and last error; a forced renewal and a revocation. Private keys never
 * leave the store.
 */
export function certificateService(deps: Pick<AdminDeps, 'certificates'>) {
  const manager = () => {
    if (!deps.certificates)
      throw new CertError(
        'CERT_ACME_OFF',
        'automatic certificates are off: start with --acme-email or --acme-directory to turn them on',
      );
    return deps.certificates;
  };
  const id = (raw: string) => {
    if (!ID.test(raw))
      throw new CertError(
        'CERT_NOT_FOUND',
        `no certificate ${raw}: list them with GET /api/v1/certificates/`,
        {
          field: 'id',
        },
      );
    return raw;
  };
  return {
    /** Every automatic certificate; none when ACME is off. */
    listCertificates: async () => (deps.certificates ? await deps.certificates.list() : []),
    getCertificate: (raw: string) => manager().get(id(raw)),
    /** The public chain, PEM. */
    certificateChain: (raw: string) => manager().chain(id(raw)),
    /** Orders a new certificate now, replacing this one once issued. */
    renewCertificate: (raw: string) => manager().renew(id(raw)),
    /** Revokes the certificate at its CA; a new one is ordered for its names. */
    revokeCertificate: (raw: string) => manager().revoke(id(raw)),
  };
}
