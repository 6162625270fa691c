import { X509Certificate } from 'node:crypto';
import { serialAndAuthorityKeyId } from './der.ts';

/**
 * A certificate's identifier for ACME Renewal Information (RFC 9773 §4.1): the base64url of its
 * Authority Key Identifier's keyIdentifier, a dot, and the base64url of its serial number's DER
 * content octets. Undefined when the certificate carries no AKI (ARI cannot name it).
 */
export function ariCertId(certificatePem: string): string | undefined {
  const der = new X509Certificate(certificatePem).raw;
  const { serial, aki } = serialAndAuthorityKeyId(der);
  if (!aki) return undefined;
  return `${aki.toString('base64url')}.${serial.toString('base64url')}`;
}
