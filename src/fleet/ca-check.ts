import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { connect, type DetailedPeerCertificate, type TLSSocket } from 'node:tls';
import { type Clock, systemClock } from '../core/clock.ts';
import { GatehouseError } from '../core/errors.ts';
import { isSelfSigned, issuerOf, readCaBundle, subjectOf } from './ca-bundle.ts';
import { type ResolveMap, resolveEndpoint } from './hosted-key.ts';

/** Why a vehicle would not trust the telemetry server with this `ca`. */
export type CaProblemCode =
  | 'not-certificate'
  | 'unreachable'
  | 'not-tls'
  | 'client-certificate-first'
  | 'partial-chain'
  | 'ca-intermediate-only'
  | 'hostname'
  | 'expired'
  | 'not-yet-valid'
  | 'self-signed'
  | 'untrusted-root'
  | 'untrusted';

/** One reason, with a stable code and a message saying what to change. */
export interface CaProblem {
  readonly code: CaProblemCode;
  readonly message: string;
}

/** What checking a server against a `ca` found. */
export interface CaCheck {
  /** `hostname:port`, and where it really went when resolved. */
  readonly target: string;
  readonly problem: CaProblem | undefined;
  /** Subjects of the certificates the server sent, leaf first. */
  readonly servedChain: readonly string[];
}

/** Where to connect and what to trust: the configuration's own `hostname`, `port` and `ca`. */
export interface CaCheckOptions {
  readonly hostname: string;
  readonly port: number;
  readonly ca: string;
  readonly resolve?: ResolveMap | undefined;
  readonly timeoutMs?: number | undefined;
  /** For the dates named in messages; OpenSSL itself judges validity by the system time. */
  readonly clock?: Clock | undefined;
}

/** The certificates a server sent, leaf first, as Node links them (stopping at a repeat). */
function servedCertificates(socket: TLSSocket): X509Certificate[] {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  let current: DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
  while (current?.raw && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    chain.push(new X509Certificate(current.raw));
    current = current.issuerCertificate;
  }
  return chain;
}

const issuerAmong = (cert: X509Certificate, pool: readonly X509Certificate[]) =>
  pool.find(
    (candidate) => candidate !== cert && cert.checkIssued(candidate) && cert.verify(candidate.publicKey),
  );

const when = (text: string) => new Date(text).toISOString().slice(0, 10);

/** Explains an OpenSSL verification failure in terms of the chain; pure. */
export function explainChainFailure(
  reason: string,
  hostname: string,
  served: readonly X509Certificate[],
  ca: readonly X509Certificate[],
  nowMs: number,
): CaProblem {
  const leaf = served[0];
  const inCa = (cert: X509Certificate) => ca.some((c) => c.fingerprint256 === cert.fingerprint256);
  const all = [...served, ...ca];
  if (reason === 'ERR_TLS_CERT_ALTNAME_INVALID' && leaf) {
    return {
      code: 'hostname',
      message: `the server's certificate is for ${leaf.subjectAltName ?? subjectOf(leaf)}, not ${hostname}: vehicles connect to hostname and refuse a certificate for another name. Give the server a certificate for ${hostname}, or set hostname to a name it covers`,
    };
  }
  if (reason === 'CERT_HAS_EXPIRED' || reason === 'CERT_NOT_YET_VALID') {
    const expired = reason === 'CERT_HAS_EXPIRED';
    const bad = all.find((c) => (expired ? Date.parse(c.validTo) <= nowMs : Date.parse(c.validFrom) > nowMs));
    const what = bad
      ? `${bad === leaf ? "the server's certificate" : 'the certificate'} ${subjectOf(bad)}`
      : 'a certificate of the chain';
    return expired
      ? {
          code: 'expired',
          message: `${what} expired on ${bad ? when(bad.validTo) : 'a past date'}: renew it (and send the new chain)`,
        }
      : {
          code: 'not-yet-valid',
          message: `${what} is valid only from ${bad ? when(bad.validFrom) : 'a later date'}: vehicles refuse it until then (check the server's clock and the certificate's dates)`,
        };
  }
  if (reason === 'DEPTH_ZERO_SELF_SIGNED_CERT' && leaf) {
    return {
      code: 'self-signed',
      message: `the server's certificate ${subjectOf(leaf)} is self-signed and ca does not hold it: put that very certificate in ca, or serve one issued by a CA whose root is in ca`,
    };
  }
  if (reason === 'SELF_SIGNED_CERT_IN_CHAIN') {
    const root = served.find((c) => isSelfSigned(c) && !inCa(c));
    return {
      code: 'untrusted-root',
      message: `the server's chain ends at the root ${root ? subjectOf(root) : '(unnamed)'}, which ca does not hold: put the root of the server's chain in ca`,
    };
  }
  if (leaf && /UNABLE_TO_(VERIFY_LEAF_SIGNATURE|GET_ISSUER_CERT)/.test(reason)) {
    // Follow issuers through what was sent and what ca holds, to name the missing link.
    let top = leaf;
    for (let issuer = issuerAmong(top, all); issuer && !isSelfSigned(top); issuer = issuerAmong(top, all))
      top = issuer;
    if (inCa(top) && !isSelfSigned(top)) {
      return {
        code: 'ca-intermediate-only',
        message: `ca holds ${subjectOf(top)}, an intermediate, but not the root that issued it (${issuerOf(top)}): a vehicle needs the chain up to the root, so add the root certificate to ca`,
      };
    }
    if (top === leaf) {
      return {
        code: 'partial-chain',
        message: `the chain is partial: the server sends only its own certificate, and ca does not hold its issuer ${issuerOf(leaf)}. Have the server send its intermediate (the full-chain file), and put the whole chain up to the root in ca`,
      };
    }
    return {
      code: 'partial-chain',
      message: `the chain is partial: the server's chain ends at ${subjectOf(top)}, whose issuer ${issuerOf(top)} ca does not hold; put the root in ca`,
    };
  }
  return { code: 'untrusted', message: `the server's certificate does not verify against ca (${reason})` };
}

/** A connection error in words; pure. */
export function explainConnectError(error: NodeJS.ErrnoException, target: string): CaProblem {
  const detail = `${error.code ? `${error.code}: ` : ''}${error.message}`;
  if (/CERTIFICATE_REQUIRED|HANDSHAKE_FAILURE/i.test(String(error.code))) {
    return {
      code: 'client-certificate-first',
      message: `${target} ended the handshake for want of a client certificate before its own chain could be checked (${detail}); offer TLS 1.3 on the server, or pass --skip-ca-check`,
    };
  }
  if (/ERR_SSL|EPROTO/.test(String(error.code)) || /ssl|tls/i.test(error.message)) {
    return {
      code: 'not-tls',
      message: `${target} does not complete a TLS handshake (${detail}): is it the TLS port?`,
    };
  }
  return {
    code: 'unreachable',
    message: `${target} cannot be reached (${detail}); is the telemetry server up and the port open?`,
  };
}

/**
 * Connects to `hostname:port` as a vehicle would and verifies the served chain against `ca` alone
 * and the host name. A server that then asks for a client certificate (mTLS) does not count
 * against it: the check ends once the server's own certificate is judged.
 */
export async function checkCaChain(options: CaCheckOptions): Promise<CaCheck> {
  const resolved = resolveEndpoint(options.resolve, options.hostname, options.port);
  const target = `${options.hostname}:${options.port}${resolved ? ` (at ${resolved.address}:${resolved.port})` : ''}`;
  let ca: X509Certificate[];
  try {
    ca = readCaBundle(options.ca, 'ca');
  } catch (error) {
    if (!(error instanceof GatehouseError)) throw error;
    return { target, problem: { code: 'not-certificate', message: error.message }, servedChain: [] };
  }
  return new Promise((resolve) => {
    const socket = connect({
      host: resolved?.address ?? options.hostname,
      port: resolved?.port ?? options.port,
      // SNI carries names only (RFC 6066); the host-name check below still covers addresses.
      ...(isIP(options.hostname) ? {} : { servername: options.hostname }),
      ca: ca.map((c) => c.toString()),
      rejectUnauthorized: false,
      timeout: options.timeoutMs ?? 10_000,
    });
    let settled = false;
    const finish = (check: CaCheck) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(check);
    };
    socket.once('secureConnect', () => {
      const served = servedCertificates(socket).filter(
        (cert, index) => index === 0 || !ca.some((c) => c.fingerprint256 === cert.fingerprint256),
      );
      const servedChain = served.map(subjectOf);
      if (socket.authorized) return finish({ target, problem: undefined, servedChain });
      const reason = String(socket.authorizationError);
      finish({
        target,
        problem: explainChainFailure(reason, options.hostname, served, ca, (options.clock ?? systemClock)()),
        servedChain,
      });
    });
    socket.once('timeout', () =>
      finish({
        target,
        problem: { code: 'unreachable', message: `${target} did not answer in time` },
        servedChain: [],
      }),
    );
    socket.once('error', (error) =>
      finish({ target, problem: explainConnectError(error, target), servedChain: [] }),
    );
  });
}
