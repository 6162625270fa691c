import 'reflect-metadata';
import { randomBytes, webcrypto } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import type { Clock } from '../core/clock.ts';
import { GatehouseError } from '../core/errors.ts';

/**
 * The CA that stands in for Tesla's vehicle CA: it issues the client certificates simulated
 * vehicles present to telemetry servers (subject CN = VIN). Kept in the data directory, so a
 * telemetry server configured to trust it keeps trusting it across runs.
 */

const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** The files the CA lives in, inside the data directory. */
export const VEHICLE_CA_FILES = { cert: 'vehicle-ca.pem', key: 'vehicle-ca.key' } as const;

/** A vehicle's client certificate and key, PEM. */
export interface VehicleCertificate {
  readonly certPem: string;
  readonly keyPem: string;
}

/** The simulator's vehicle CA. */
export interface VehicleCa {
  readonly certPem: string;
  /** Issues a client certificate for `vin`, signed by the CA. */
  issueVehicleCertificate(vin: string): Promise<VehicleCertificate>;
  /**
   * Issues a server certificate for `hosts` (DNS names or IP addresses), so a local domain can
   * serve HTTPS that the simulator (which trusts this CA) and vehicles told this CA accept.
   */
  issueServerCertificate(hosts: readonly string[]): Promise<VehicleCertificate>;
}

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const crypto = webcrypto;
x509.cryptoProvider.set(crypto as unknown as Parameters<typeof x509.cryptoProvider.set>[1]);

const serial = () => `01${randomBytes(15).toString('hex')}`;

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = await crypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

async function createCa(clock: Clock): Promise<{ cert: x509.X509Certificate; key: CryptoKey }> {
  const keys = (await crypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const now = clock();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: 'CN=Gatehouse Simulated Vehicle CA, O=Tesla cloud simulator',
    notBefore: new Date(now - DAY_MS),
    notAfter: new Date(now + 3650 * DAY_MS),
    keys,
    signingAlgorithm: SIGNING,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, key: keys.privateKey };
}

async function readCa(dir: string): Promise<{ cert: x509.X509Certificate; key: CryptoKey }> {
  const certPath = join(dir, VEHICLE_CA_FILES.cert);
  const keyPath = join(dir, VEHICLE_CA_FILES.key);
  try {
    const cert = new x509.X509Certificate(readFileSync(certPath, 'utf8'));
    const der = x509.PemConverter.decodeFirst(readFileSync(keyPath, 'utf8'));
    const key = await crypto.subtle.importKey('pkcs8', der, EC, true, ['sign']);
    return { cert, key };
  } catch (error) {
    throw new GatehouseError(
      'SIM_DATA_INVALID',
      `the vehicle CA in ${dir} cannot be read (${(error as Error).message}); remove ${VEHICLE_CA_FILES.cert} and ${VEHICLE_CA_FILES.key} to make a new one`,
      { cause: error },
    );
  }
}

/**
 * The vehicle CA of `dataDir`, made there on first use (`vehicle-ca.pem`, and `vehicle-ca.key`
 * with mode 0600); without a directory, one that lives as long as the process.
 */
export async function loadVehicleCa(dataDir: string | undefined, clock: Clock): Promise<VehicleCa> {
  let ca: { cert: x509.X509Certificate; key: CryptoKey };
  if (dataDir && existsSync(join(dataDir, VEHICLE_CA_FILES.cert))) {
    ca = await readCa(dataDir);
  } else {
    ca = await createCa(clock);
    if (dataDir) {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const keyPath = join(dataDir, VEHICLE_CA_FILES.key);
      writeFileSync(keyPath, await privateKeyPem(ca.key), { mode: 0o600 });
      chmodSync(keyPath, 0o600);
      writeFileSync(join(dataDir, VEHICLE_CA_FILES.cert), ca.cert.toString('pem'), { mode: 0o644 });
    }
  }
  const certPem = `${ca.cert.toString('pem')}\n`;
  return {
    certPem,
    issueVehicleCertificate: (vin) => issue(`CN=${vin}`, [x509.ExtendedKeyUsage.clientAuth], []),
    issueServerCertificate: (hosts) => {
      if (hosts.length === 0)
        throw new GatehouseError('SIM_OPTION_INVALID', 'a server certificate needs a host name');
      const names = hosts.map((host) =>
        isIP(host) ? { type: 'ip' as const, value: host } : { type: 'dns' as const, value: host },
      );
      return issue(`CN=${hosts[0]}`, [x509.ExtendedKeyUsage.serverAuth], names);
    },
  };

  async function issue(
    subject: string,
    usages: x509.ExtendedKeyUsageType[],
    names: { type: 'dns' | 'ip'; value: string }[],
  ): Promise<VehicleCertificate> {
    const keys = (await crypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
    const now = clock();
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject,
      issuer: ca.cert.subject,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 365 * DAY_MS),
      publicKey: keys.publicKey,
      signingKey: ca.key,
      signingAlgorithm: SIGNING,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension(usages),
        await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
        ...(names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : []),
      ],
    });
    return { certPem: `${cert.toString('pem')}\n`, keyPem: await privateKeyPem(keys.privateKey) };
  }
}
