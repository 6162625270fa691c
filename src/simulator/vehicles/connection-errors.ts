/**
 * What a vehicle reports when it cannot reach its telemetry server, worded like the Go errors
 * Tesla's vehicles put in `fleet_telemetry_errors`, from Node's error codes.
 */

const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

/** Where the vehicle was connecting. */
export interface ConnectTarget {
  readonly hostname: string;
  readonly port: number;
}

/** The error text for a failed connection, naming the cause as a vehicle would. */
export function describeConnectionError(error: unknown, target: ConnectTarget): string {
  const e = error as NodeJS.ErrnoException & { reason?: string };
  const code = e?.code ?? '';
  const message = String(e?.message ?? error);
  const dial = `dial tcp ${target.hostname}:${target.port}`;
  if (UNKNOWN_AUTHORITY.has(code)) {
    return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
  }
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    return `tls: failed to verify certificate: x509: certificate is not valid for ${target.hostname}`;
  }
  if (code === 'ECONNREFUSED') return `${dial}: connect: connection refused`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `dial tcp: lookup ${target.hostname}: no such host`;
  if (code === 'ETIMEDOUT') return `${dial}: i/o timeout`;
  if (code === 'ECONNRESET' || message === 'socket hang up') return `${dial}: connection reset by peer`;
  if (/alert/i.test(code) || /alert/i.test(message)) {
    const alert = /alert (?:number \d+|([a-z ]+))/i.exec(message)?.[1]?.trim().toLowerCase();
    return `remote error: tls: ${alert || 'bad certificate'}`;
  }
  if (/Unexpected server response/i.test(message)) return `websocket: bad handshake (${message})`;
  if (/PEM|ASN1|x509|certificate/i.test(message)) return `x509: malformed certificate in ca: ${message}`;
  return message;
}
