import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A self-signed P-256 certificate from `openssl req`, with the extensions given; returns its PEM files. */
function selfSignedWith(
  dir: string,
  file: string,
  cn: string,
  extensions: string[],
): { cert: string; key: string } {
  const cert = join(dir, `${file}.pem`);
  const key = join(dir, `${file}.key`);
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${cn}`,
      ...extensions.flatMap((e) => ['-addext', e]),
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}

/** Makes a self-signed certificate for `names` with openssl; returns the PEM file paths. */
export function selfSigned(dir: string, file: string, names: string[]): { cert: string; key: string } {
  return selfSignedWith(dir, file, names[0]!, [`subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`]);
}

/** Makes a CA with openssl; returns its PEM files. */
export function certificateAuthority(dir: string, file: string): { cert: string; key: string } {
  return selfSignedWith(dir, file, file, [
    'basicConstraints=critical,CA:TRUE',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

/** Issues a client certificate with common name `cn`, signed by `ca`; returns its PEM files. */
export function clientCertificate(
  dir: string,
  file: string,
  cn: string,
  ca: { cert: string; key: string },
): { cert: string; key: string } {
  const cert = join(dir, `${file}.pem`);
  const key = join(dir, `${file}.key`);
  const csr = join(dir, `${file}.csr`);
  const ext = join(dir, `${file}.ext`);
  writeFileSync(ext, 'extendedKeyUsage=clientAuth\n');
  execFileSync(
    'openssl',
    [
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-subj',
      `/CN=${cn}`,
      '-keyout',
      key,
      '-out',
      csr,
    ],
    { stdio: 'ignore' },
  );
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      csr,
      '-CA',
      ca.cert,
      '-CAkey',
      ca.key,
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      ext,
      '-out',
      cert,
    ],
    { stdio: 'ignore' },
  );
  return { cert, key };
}
