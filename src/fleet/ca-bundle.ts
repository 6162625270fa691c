import { X509Certificate } from 'node:crypto';
import { GatehouseError } from '../core/errors.ts';

/** One `-----BEGIN X-----` … `-----END X-----` block of a PEM text. */
export interface PemBlock {
  readonly label: string;
  readonly text: string;
}

/** The PEM blocks of `pem`, in order. */
export function pemBlocks(pem: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of pem.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)) {
    blocks.push({ label: match[1] ?? '', text: match[0] });
  }
  return blocks;
}

/** Why a non-certificate block cannot stand in a `ca`, in words a developer recognises. */
function wrongBlockReason(label: string): string {
  if (/PRIVATE KEY/.test(label)) {
    return `holds a ${label} block: a private key must never leave its server, and ca takes the telemetry server's certificate chain (-----BEGIN CERTIFICATE----- blocks)`;
  }
  if (label === 'PUBLIC KEY') {
    return "holds a PUBLIC KEY block (the command key hosted for Tesla?): ca takes the telemetry server's TLS certificate chain, which vehicles use to trust the server, not the application's key";
  }
  if (label === 'CERTIFICATE REQUEST') {
    return 'holds a CERTIFICATE REQUEST: give the issued certificate chain instead';
  }
  return `holds a ${label} block; ca takes only CERTIFICATE blocks`;
}

/**
 * The certificates of a `ca` bundle; refuses anything that is not one or more PEM certificates,
 * naming the block that is wrong. `source` names the flag or file for messages.
 */
export function readCaBundle(pem: string, source: string): X509Certificate[] {
  const blocks = pemBlocks(pem);
  if (blocks.length === 0) {
    throw new GatehouseError(
      'FLEET_CONFIG_INVALID',
      `${source} holds no PEM certificate (no -----BEGIN CERTIFICATE----- line); give the PEM chain of the telemetry server's certificate`,
      { field: 'ca' },
    );
  }
  const wrong = blocks.find((block) => block.label !== 'CERTIFICATE');
  if (wrong)
    throw new GatehouseError('FLEET_CONFIG_INVALID', `${source} ${wrongBlockReason(wrong.label)}`, {
      field: 'ca',
    });
  return blocks.map((block, index) => {
    try {
      return new X509Certificate(block.text);
    } catch (error) {
      throw new GatehouseError(
        'FLEET_CONFIG_INVALID',
        `${source}: certificate ${index + 1} cannot be parsed (${(error as Error).message}); give the PEM files as issued`,
        { field: 'ca', cause: error },
      );
    }
  });
}

/** The subject of a certificate on one line, e.g. `CN=telemetry.example.com`. */
export function subjectOf(cert: X509Certificate): string {
  return cert.subject.split('\n').join(', ');
}

/** The issuer of a certificate on one line. */
export function issuerOf(cert: X509Certificate): string {
  return cert.issuer.split('\n').join(', ');
}

/** True for a certificate that signed itself (a root, or a self-signed server certificate). */
export function isSelfSigned(cert: X509Certificate): boolean {
  return cert.subject === cert.issuer && cert.checkIssued(cert) && cert.verify(cert.publicKey);
}
