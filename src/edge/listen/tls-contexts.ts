import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { ListenerConfig } from '../../config/schema.ts';
import { ConfigError } from '../../core/config-error.ts';

/**
 * The certificates one HTTPS listener serves, by SNI name; it may start empty and gain
 * certificates while running (ACME), so the listener can start before its first certificate.
 */
export class CertificateSet {
  /** CAs for client certificates: every context must carry them, since SNI swaps the whole context. */
  readonly #clientCa: Buffer | undefined;
  readonly #byHost = new Map<string, SecureContext>();
  #fallback: SecureContext | undefined;
  #fallbackPem: { cert: Buffer; key: Buffer } | undefined;
  readonly #onDefault = new Set<(pem: { cert: Buffer; key: Buffer }) => void>();

  constructor(clientCa?: Buffer) {
    this.#clientCa = clientCa;
  }

  /** The client-certificate CA bundle every context carries. */
  get clientCa(): Buffer | undefined {
    return this.#clientCa;
  }

  /** Serves this certificate for these host names (`*.example.com` for one label, `*` for any). */
  add(hosts: readonly string[], pem: { cert: Buffer; key: Buffer }, where = 'certificate'): void {
    const context = secureContext(pem, this.#clientCa, where);
    for (const host of hosts) this.#byHost.set(host.toLowerCase(), context);
  }

  /** Stops serving certificates for these host names (others, and the default, stay). */
  remove(hosts: readonly string[]): void {
    for (const host of hosts) this.#byHost.delete(host.toLowerCase());
  }

  /**
   * Serves this certificate for names no other certificate covers, and to clients that send no
   * name at all (the server's own default context, which SNI never consults).
   */
  setDefault(pem: { cert: Buffer; key: Buffer }, where = 'tls.cert'): void {
    this.#fallback = secureContext(pem, this.#clientCa, where);
    this.#fallbackPem = pem;
    for (const listener of this.#onDefault) listener(pem);
  }

  /** The default certificate as PEM, for the server's own options. */
  get defaultPem(): { cert: Buffer; key: Buffer } | undefined {
    return this.#fallbackPem;
  }

  /** Calls `listener` whenever the default certificate changes. */
  onDefaultChange(listener: (pem: { cert: Buffer; key: Buffer }) => void): void {
    this.#onDefault.add(listener);
  }

  /** Whether a certificate is there for this name itself (exact or `*.` one label up), not by `*` or the default. */
  covers(servername: string): boolean {
    const name = servername.toLowerCase();
    const dot = name.indexOf('.');
    return this.#byHost.has(name) || (dot !== -1 && this.#byHost.has(`*${name.slice(dot)}`));
  }

  /** The context for a server name: exact, then `*.` one label up, then `*`, then the default. */
  select(servername: string): SecureContext | undefined {
    const name = servername.toLowerCase();
    const dot = name.indexOf('.');
    return (
      this.#byHost.get(name) ??
      (dot === -1 ? undefined : this.#byHost.get(`*${name.slice(dot)}`)) ??
      this.#byHost.get('*') ??
      this.#fallback
    );
  }
}

/** Loads a listener's configured certificates; errors name the config key and the file. */
export function loadCertificates(tls: NonNullable<ListenerConfig['tls']>, where: string): CertificateSet {
  const set = new CertificateSet(tls.ca ? read(tls.ca, `${where}.ca`) : undefined);
  tls.certificates.forEach((entry, i) => {
    const at = `${where}.certificates.${i}`;
    set.add(entry.hosts, { cert: read(entry.cert, `${at}.cert`), key: read(entry.key, `${at}.key`) }, at);
  });
  if (tls.cert && tls.key)
    set.setDefault(
      { cert: read(tls.cert, `${where}.cert`), key: read(tls.key, `${where}.key`) },
      `${where}.cert`,
    );
  return set;
}

function read(path: string, key: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new ConfigError(`invalid configuration: ${key}: cannot read ${path}: ${(error as Error).message}`, {
      field: key,
      cause: error,
    });
  }
}

function secureContext(
  pem: { cert: Buffer; key: Buffer },
  ca: Buffer | undefined,
  where: string,
): SecureContext {
  try {
    return createSecureContext({ ...pem, ...(ca ? { ca } : {}) });
  } catch (error) {
    throw new ConfigError(
      `invalid configuration: ${where}: certificate and key do not load: ${(error as Error).message}`,
      { field: where, cause: error },
    );
  }
}
