import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY = 24 * 3600_000;

/** A certificate made in the test, with its key: PEMs for servers and `ca` bundles. */
export interface TestCert {
  readonly certPem: string;
  readonly keyPem: string;
  readonly cert: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
}

/** What to make: a CA (root when no issuer) or a server certificate for `dnsNames`. */
export interface TestCertSpec {
  readonly name: string;
  readonly issuer?: TestCert;
  readonly ca?: boolean;
  readonly dnsNames?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

/** Issues a P-256 certificate (self-signed without `issuer`); dates default to yesterday … in 30 days. */
export async function makeCert(spec: TestCertSpec): Promise<TestCert> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(spec.ca ?? false, undefined, true),
    new x509.KeyUsagesExtension(
      spec.ca
        ? x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign
        : x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyAgreement,
      true,
    ),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
  ];
  if (spec.dnsNames?.length) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension(spec.dnsNames.map((value) => ({ type: 'dns', value }))),
    );
    extensions.push(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]));
  }
  if (spec.issuer)
    extensions.push(await x509.AuthorityKeyIdentifierExtension.create(spec.issuer.keys.publicKey));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(webcrypto.getRandomValues(new Uint8Array(8)))
      .toString('hex')
      .replace(/^[89a-f]/, '1'),
    subject: `CN=${spec.name}`,
    issuer: spec.issuer ? spec.issuer.cert.subject : `CN=${spec.name}`,
    notBefore: spec.notBefore ?? new Date(Date.now() - DAY),
    notAfter: spec.notAfter ?? new Date(Date.now() + 30 * DAY),
    signingAlgorithm: ALGORITHM,
    publicKey: keys.publicKey,
    signingKey: (spec.issuer?.keys ?? keys).privateKey,
    extensions,
  });
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  const keyPem = x509.PemConverter.encode(pkcs8, 'PRIVATE KEY');
  return { certPem: cert.toString('pem'), keyPem, cert, keys };
}

/** A root → intermediate → leaf chain for `hostname`. */
export async function certChain(hostname: string) {
  const root = await makeCert({ name: 'Test Root CA', ca: true });
  const intermediate = await makeCert({ name: 'Test Intermediate CA', ca: true, issuer: root });
  const leaf = await makeCert({ name: hostname, dnsNames: [hostname], issuer: intermediate });
  return { root, intermediate, leaf };
}

/** PEMs joined as a bundle file holds them. */
export const bundle = (...certs: TestCert[]) => `${certs.map((c) => c.certPem.trim()).join('\n')}\n`;
