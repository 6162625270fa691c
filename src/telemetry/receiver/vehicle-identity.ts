import type { PeerCertificate } from 'node:tls';

/**
 * The VIN a client certificate speaks for: its subject CN, with `.` made `-` as Tesla's server
 * does; undefined when the certificate has no usable CN.
 */
export function vinOfCertificate(certificate: PeerCertificate | undefined): string | undefined {
  const cn = certificate?.subject?.CN;
  const name = Array.isArray(cn) ? cn[0] : cn;
  if (typeof name !== 'string') return undefined;
  const vin = name.trim().replaceAll('.', '-');
  return /^[A-Za-z0-9-]{1,64}$/.test(vin) ? vin : undefined;
}
