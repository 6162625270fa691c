import { readFileSync } from 'node:fs';
import { trustAcmeRoots } from '../certs/acme-ca.ts';
import { CertificateManager } from '../certs/certificate-manager.ts';
import { namesToCertify } from '../certs/certificate-names.ts';
import { acmeChallengeMount, alpnChallengeLookup } from '../certs/challenges.ts';
import { routeServesName } from '../certs/routed-names.ts';
import type { CertificateSink } from '../certs/served-certificates.ts';
import { acmeDirectoryUrl, acmeEnabled } from '../config/acme-schema.ts';
import type { ServeConfig } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import { ConfigError } from '../core/config-error.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import { sealingKey } from '../core/sealing.ts';
import type { ListenerAcme } from '../edge/listen/listener.ts';
import type { RouteCatalog } from '../edge/routing/route-catalog.ts';
import type { Mount } from '../routes/mount.ts';
import type { Store } from '../store/types.ts';

/** Automatic certificates as the gateway wires them: the challenge mount, the listeners' part, the manager. */
export interface AutomaticCertificates {
  readonly manager: CertificateManager;
  readonly mount: Mount;
  readonly listener: ListenerAcme;
}

/**
 * Builds automatic certificates when ACME is on (undefined otherwise). Names come from routes with
 * `tls: "auto"`, the admin and auth hosts and `acme.hosts`; `sink` serves each issued certificate
 * on every HTTPS listener.
 */
export function automaticCertificates(deps: {
  readonly config: ServeConfig;
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly secretKey: () => Buffer | undefined;
  readonly catalog: RouteCatalog;
  /** Names served besides routes' (a tunnel's own `<name>.<domain>`), which on-demand may certify too. */
  readonly alsoServes: (name: string) => boolean;
  readonly hasHttpListener: boolean;
  /** Where certificates are served: every HTTPS listener, and the telemetry one. */
  readonly sink: CertificateSink;
  readonly random?: (() => number) | undefined;
}): AutomaticCertificates | undefined {
  const { config, logger } = deps;
  const acme = config.acme;
  if (!acmeEnabled(acme)) {
    if (config.telemetry.cert === 'auto')
      throw new ConfigError(
        'invalid configuration: telemetry.cert: auto needs automatic certificates: give --acme-email (or --acme-directory)',
        { field: 'telemetry.cert' },
      );
    return undefined;
  }
  const secret = deps.secretKey();
  if (!secret)
    throw new ConfigError(
      'invalid configuration: acme: certificates are kept sealed in the shared store, which needs GATEHOUSE_SECRET_KEY (the same on every node)',
      { field: 'secretKey' },
    );
  if (acme.directoryCa) {
    try {
      trustAcmeRoots(readFileSync(acme.directoryCa, 'utf8'));
    } catch (error) {
      throw new ConfigError(
        `invalid configuration: acme.directoryCa: cannot read ${acme.directoryCa}: ${(error as Error).message}`,
        { field: 'acme.directoryCa', cause: error },
      );
    }
  }
  const ownHosts = [config.domain, ...(config.auth.host ? [config.auth.host] : []), ...acme.hosts];
  const wanted = () =>
    namesToCertify({
      routeHosts: deps.catalog.table.routes.filter((r) => r.tls === 'auto').map((r) => r.host),
      ownHosts,
      telemetryHost: config.telemetry.cert === 'auto' ? config.telemetry.name : undefined,
    });
  const skipped = wanted().skipped.filter((s) => s.name !== 'localhost');
  if (skipped.length > 0) logger.info({ skipped }, 'names that get no automatic certificate');
  const challenge = acme.challenge ?? (deps.hasHttpListener ? 'http-01' : 'tls-alpn-01');
  const manager = new CertificateManager({
    store: deps.store,
    clock: deps.clock,
    logger,
    metrics: deps.metrics,
    settings: {
      directory: acmeDirectoryUrl(acme),
      email: acme.email,
      ...(acme.eabKid && acme.eabHmacKey ? { eab: { kid: acme.eabKid, hmacKey: acme.eabHmacKey } } : {}),
      profile: acme.profile,
      challenge,
      onDemand: { enabled: acme.onDemand, perHour: acme.onDemandPerHour },
    },
    sealKey: sealingKey(secret, 'gatehouse acme', 'certificate and account keys'),
    wanted: () => wanted().names,
    serves: (name) => routeServesName(deps.catalog.table.routes, name) || deps.alsoServes(name),
    sink: deps.sink,
    ...(deps.random ? { random: deps.random } : {}),
  });
  return {
    manager,
    mount: acmeChallengeMount(deps.store.ephemeral),
    listener: {
      alpnChallenge: alpnChallengeLookup(deps.store.ephemeral),
      ...(acme.onDemand ? { onDemand: (name: string) => manager.onDemand(name) } : {}),
    },
  };
}
