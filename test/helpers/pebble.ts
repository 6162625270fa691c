import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { freePort } from './redis.ts';
import { tempDir } from './temp-dirs.ts';
import { waitFor } from './wait-for.ts';

/** A running pebble (the test ACME CA) with its mock DNS answering 127.0.0.1 for every name. */
export interface Pebble {
  /** The directory URL. */
  readonly directory: string;
  /** PEM file of the certificate of pebble's own API: what `--acme-directory-ca` trusts. */
  readonly apiCaFile: string;
  readonly apiCa: string;
  /** pebble's management interface (`/roots/0`, `/intermediates/0`…). */
  readonly managementUrl: string;
  /** The root the issued chains lead to: the only CA a test client trusts. */
  root(): Promise<string>;
  /** Everything pebble and its DNS printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** Options of {@link startPebble}. */
export interface PebbleOptions {
  /** Where pebble's validator connects for HTTP-01: Gatehouse's HTTP port. */
  readonly httpPort: number;
  /** Where it connects for TLS-ALPN-01: Gatehouse's HTTPS port. */
  readonly tlsPort: number;
  /** Lifetime of issued certificates, in seconds (pebble's default is five years). */
  readonly validitySeconds?: number;
  /** Requires External Account Binding with this key id and base64url HMAC key. */
  readonly eab?: { readonly kid: string; readonly hmacKey: string };
}

/** GETs a URL of pebble's over HTTPS, trusting its API certificate. */
export function pebbleGet(url: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Starts pebble-challtestsrv (DNS only: every name is 127.0.0.1) and pebble on free loopback
 * ports, with its random validation delay off; both stop by PID.
 */
export async function startPebble(options: PebbleOptions): Promise<Pebble> {
  const dir = tempDir('gatehouse-pebble-');
  const apiCaFile = join(dir, 'api.pem');
  const apiKey = join(dir, 'api.key');
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
      '/CN=pebble api',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
      '-keyout',
      apiKey,
      '-out',
      apiCaFile,
    ],
    { stdio: 'ignore' },
  );
  const [api, management, dns, dnsManagement] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  const config = join(dir, 'pebble.json');
  writeFileSync(
    config,
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${api}`,
        managementListenAddress: `127.0.0.1:${management}`,
        certificate: apiCaFile,
        privateKey: apiKey,
        httpPort: options.httpPort,
        tlsPort: options.tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: options.eab !== undefined,
        ...(options.eab ? { externalAccountMACKeys: { [options.eab.kid]: options.eab.hmacKey } } : {}),
        ...(options.validitySeconds ? { certificateValidityPeriod: options.validitySeconds } : {}),
      },
    }),
  );
  let output = '';
  const collect = (child: ChildProcess) => {
    child.stdout?.on('data', (c: Buffer) => {
      output += c.toString();
    });
    child.stderr?.on('data', (c: Buffer) => {
      output += c.toString();
    });
  };
  const challtest = spawn(
    'pebble-challtestsrv',
    [
      '-defaultIPv4',
      '127.0.0.1',
      '-defaultIPv6',
      '',
      '-dns01',
      `127.0.0.1:${dns}`,
      '-http01',
      '',
      '-https01',
      '',
      '-tlsalpn01',
      '',
      '-management',
      `127.0.0.1:${dnsManagement}`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  collect(challtest);
  const pebble = spawn('pebble', ['-config', config, '-dnsserver', `127.0.0.1:${dns}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0', PEBBLE_AUTHZREUSE: '0' },
  });
  collect(pebble);
  const stopOne = async (child: ChildProcess) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    await exited;
  };
  const stop = async () => {
    await stopOne(pebble);
    await stopOne(challtest);
  };
  const apiCa = readFileSync(apiCaFile, 'utf8');
  const directory = `https://127.0.0.1:${api}/dir`;
  try {
    await waitFor(
      'pebble to answer its directory',
      async () => (await pebbleGet(directory, apiCa).catch(() => ({ status: 0 }))).status === 200,
      { timeoutMs: 15_000, intervalMs: 50, detail: () => output },
    );
  } catch (error) {
    await stop();
    throw error;
  }
  const managementUrl = `https://127.0.0.1:${management}`;
  return {
    directory,
    apiCaFile,
    apiCa,
    managementUrl,
    root: async () => (await pebbleGet(`${managementUrl}/roots/0`, apiCa)).body,
    output: () => output,
    stop,
  };
}
