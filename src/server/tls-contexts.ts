import { readFileSync } from 'node:fs';
import { createSecureContext, type SecureContext } from 'node:tls';
import { ConfigError } from '../config/errors.ts';
import type { ServeConfig } from '../config/schema.ts';

/** Certificates by host for SNI, plus the default one. */
export interface TlsContexts {
  readonly defaultCert: { cert: Buffer; key: Buffer } | undefined;
  /** Picks the context for a server name: exact, then `*.` one label up, then the default. */
  select(servername: string): SecureContext | undefined;
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

function context(cert: Buffer, key: Buffer, where: string): SecureContext {
  try {
    return createSecureContext({ cert, key });
  } catch (error) {
    throw new ConfigError(
      `invalid configuration: ${where}: certificate and key do not load: ${(error as Error).message}`,
      {
        field: where,
        cause: error,
      },
    );
  }
}

/** Loads every configured certificate; undefined when TLS is not configured at all. */
export function loadTlsContexts(tls: ServeConfig['tls']): TlsContexts | undefined {
  if (!tls.cert && tls.certificates.length === 0) return undefined;
  const byHost = new Map<string, SecureContext>();
  tls.certificates.forEach((entry, i) => {
    const where = `tls.certificates.${i}`;
    const ctx = context(read(entry.cert, `${where}.cert`), read(entry.key, `${where}.key`), where);
    for (const host of entry.hosts) byHost.set(host, ctx);
  });
  const defaultCert =
    tls.cert && tls.key ? { cert: read(tls.cert, 'tls.cert'), key: read(tls.key, 'tls.key') } : undefined;
  const fallback = defaultCert ? context(defaultCert.cert, defaultCert.key, 'tls.cert') : undefined;
  return {
    defaultCert,
    select(servername) {
      const name = servername.toLowerCase();
      const dot = name.indexOf('.');
      return (
        byHost.get(name) ??
        (dot === -1 ? undefined : byHost.get(`*${name.slice(dot)}`)) ??
        byHost.get('*') ??
        fallback
      );
    },
  };
}
