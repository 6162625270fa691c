import { isIP } from 'node:net';

/** Most names one certificate carries: Let's Encrypt's limit, and the seed's. */
export const MAX_NAMES_PER_CERTIFICATE = 100;

/** Where names to certify come from; each is a host name as configured. */
export interface NameSources {
  /** Hosts of routes with `tls: "auto"`. */
  readonly routeHosts: readonly string[];
  /** `--domain` and the auth host, and hosts listed in `acme.hosts`. */
  readonly ownHosts: readonly string[];
  /** `--telemetry-host` when `--telemetry-cert auto`. */
  readonly telemetryHost?: string | undefined;
}

/** A name that gets no certificate, and why. */
export interface SkippedName {
  readonly name: string;
  readonly reason: string;
}

/**
 * The names to certify, lower-cased, sorted and once each; the rest with the reason: a public CA
 * validates only names it can reach by DNS, so no wildcards (they need DNS-01), no `localhost`
 * and no addresses.
 */
export function namesToCertify(sources: NameSources): { names: string[]; skipped: SkippedName[] } {
  const names = new Set<string>();
  const skipped = new Map<string, string>();
  const all = [
    ...sources.routeHosts,
    ...sources.ownHosts,
    ...(sources.telemetryHost ? [sources.telemetryHost] : []),
  ];
  for (const raw of all) {
    const name = raw.trim().toLowerCase().replace(/\.$/, '');
    const reason = unfitReason(name);
    if (reason) skipped.set(name, reason);
    else names.add(name);
  }
  return {
    names: [...names].sort(),
    skipped: [...skipped].map(([name, reason]) => ({ name, reason })),
  };
}

/** Why a name cannot have an ACME certificate by HTTP-01 or TLS-ALPN-01, or undefined when it can. */
export function unfitReason(name: string): string | undefined {
  if (name === '' || name === '*') return 'matches any host: give routes a host name to certify';
  if (name.includes('*'))
    return 'wildcard names need DNS-01; turn on --acme-on-demand to certify each name at its first handshake';
  if (isIP(name.replace(/^\[|\]$/g, '')) !== 0) return 'an address, not a name';
  if (name === 'localhost' || name.endsWith('.localhost'))
    return 'localhost names never resolve to this server for a CA';
  if (!name.includes('.')) return 'a single-label name no public CA can reach';
  return undefined;
}

/** A certificate as far as grouping cares: its id and the names it carries. */
export interface NameGroup {
  readonly id: string;
  readonly names: readonly string[];
}

/** What {@link planCertificates} decides. */
export interface CertificatePlan {
  /** Existing certificates kept, with the names they carry at their next renewal. */
  readonly keep: readonly NameGroup[];
  /** Existing certificates no wanted name needs any more. */
  readonly retire: readonly string[];
  /** New certificates to order, at most `max` names each. */
  readonly create: readonly (readonly string[])[];
}

/**
 * Groups the wanted names into certificates of at most `max` names, keeping existing certificates
 * as they are so that adding a name never reissues a full certificate: a name no certificate
 * carries joins a new one, a name no longer wanted leaves its certificate at the next renewal.
 */
export function planCertificates(
  wanted: readonly string[],
  existing: readonly NameGroup[],
  max = MAX_NAMES_PER_CERTIFICATE,
): CertificatePlan {
  const want = new Set(wanted);
  const covered = new Set<string>();
  const keep: NameGroup[] = [];
  const retire: string[] = [];
  for (const group of existing) {
    const still = group.names.filter((n) => want.has(n) && !covered.has(n));
    if (still.length === 0) {
      retire.push(group.id);
      continue;
    }
    for (const n of still) covered.add(n);
    keep.push({ id: group.id, names: still });
  }
  const fresh = [...want].filter((n) => !covered.has(n)).sort();
  const create: string[][] = [];
  for (let i = 0; i < fresh.length; i += max) create.push(fresh.slice(i, i + max));
  return { keep, retire, create };
}
