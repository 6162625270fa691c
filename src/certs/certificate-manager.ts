import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import { type SealingKey, seal } from '../core/sealing.ts';
import { StoreError } from '../store/errors.ts';
import type { Store } from '../store/types.ts';
import { openAcmeAccount } from './acme-account.ts';
import type { AcmeCa, AcmeCaSettings, ChallengeType } from './acme-ca.ts';
import { ariCertId } from './ari-cert-id.ts';
import { CertError } from './cert-error.ts';
import { challengeStores, MANAGED_CERTIFICATES, type ManagedCertificateRecord } from './cert-records.ts';
import { planCertificates, unfitReason } from './certificate-names.ts';
import { type CertificateView, certificateView } from './certificate-view.ts';
import { storedChallengeHooks } from './challenges.ts';
import { OnDemandBudget } from './on-demand-budget.ts';
import { ariFields, withFailure, withRenewalInfo } from './record-updates.ts';
import { nearExpiry, renewalTime } from './renewal-schedule.ts';
import { type CertificateSink, ServedCertificates } from './served-certificates.ts';

export type { CertificateView } from './certificate-view.ts';

/** The ACME settings the manager runs on, resolved from the configuration. */
export interface AcmeSettings extends AcmeCaSettings {
  readonly profile?: string | undefined;
  readonly challenge: ChallengeType;
  readonly onDemand: { readonly enabled: boolean; readonly perHour: number };
}

/** What {@link CertificateManager} needs from the gateway. */
export interface CertificateManagerOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly settings: AcmeSettings;
  readonly sealKey: SealingKey;
  /** The names to certify now (from routes and settings), already fit for a public CA. */
  readonly wanted: () => readonly string[];
  /** Whether a route serves a name: on-demand certifies only those. */
  readonly serves: (name: string) => boolean;
  /** Where certificates are served: every HTTPS listener (and the telemetry one). */
  readonly sink: CertificateSink;
  /** Uniform in [0, 1): picks the time inside an ARI window. */
  readonly random?: () => number;
  /** How often certificates are checked (real time; the clock decides what is due). */
  readonly checkEveryMs?: number;
}

/** How long one node holds a certificate's order before another may take it over. */
const ORDER_LEASE_MS = 5 * 60_000;

/**
 * Orders, renews and serves ACME certificates for every node sharing the store: plans which
 * certificates the wanted names need, orders what is due under a per-certificate lease (one node
 * orders, every node serves the result through the change feed), renews by ARI or lifetime, backs
 * off on failure, and certifies routed names on demand at their first handshake.
 */
export class CertificateManager {
  readonly #o: CertificateManagerOptions;
  readonly #node = randomUUID();
  readonly #served: ServedCertificates;
  readonly #budget: OnDemandBudget;
  #ca: Promise<AcmeCa> | undefined;
  #checking: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  constructor(options: CertificateManagerOptions) {
    this.#o = options;
    this.#served = new ServedCertificates(options.sink, options.sealKey, options.logger);
    this.#budget = new OnDemandBudget(options.settings.onDemand.perHour, options.clock);
  }

  get #certs() {
    return this.#o.store.collection(MANAGED_CERTIFICATES);
  }

  /** Serves what the store holds, then checks now and every `checkEveryMs`, and on every route change. */
  async start(): Promise<void> {
    await this.#sync();
    this.#unsubscribe = this.#o.store.onChange((event) => {
      if (event.topic === MANAGED_CERTIFICATES.topic) void this.#sync().catch((e) => this.#failed(e));
      if (event.topic === 'routes') void this.check();
    });
    this.#timer = setInterval(() => void this.check(), this.#o.checkEveryMs ?? 10 * 60_000);
    this.#timer.unref();
    void this.check();
  }

  /** Stops checking; an order under way finishes on its own. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    this.#unsubscribe?.();
    await this.#checking?.catch(() => {});
  }

  /** Plans, then orders or renews whatever is due; resolves when this round (and any asked for during it) is done. */
  check(): Promise<void> {
    if (this.#checking) {
      this.#again = true;
      return this.#checking;
    }
    this.#checking = (async () => {
      do {
        this.#again = false;
        if (this.#stopped) return;
        await this.#round().catch((e) => this.#failed(e));
      } while (this.#again);
    })().finally(() => {
      this.#checking = undefined;
    });
    return this.#checking;
  }

  /** Every certificate as the admin API shows it. */
  async list(): Promise<CertificateView[]> {
    const now = this.#o.clock();
    return (await this.#certs.list()).map((r) => certificateView(r, now));
  }

  /** One certificate as the admin API shows it. */
  async get(id: string): Promise<CertificateView> {
    return certificateView(await this.#record(id), this.#o.clock());
  }

  /** The certificate chain (PEM, leaf first) as issued: public, for a client's trust configuration. */
  async chain(id: string): Promise<string> {
    const record = await this.#record(id);
    if (!record.chainPem)
      throw new CertError(
        'CERT_NOT_FOUND',
        `certificate ${id} is not issued yet: see its lastError in GET /api/v1/certificates/${id}`,
      );
    return record.chainPem;
  }

  /** Renews a certificate now, whatever its schedule; resolves when the attempt is over. */
  async renew(id: string): Promise<CertificateView> {
    const marked = await this.#certs.update(id, (c) => ({
      ...c,
      forced: true,
      renewAt: this.#iso(this.#o.clock()),
    }));
    if (!marked) throw notFound(id);
    await this.check();
    return this.get(id);
  }

  /** Revokes a certificate at the CA and orders its replacement. */
  async revoke(id: string): Promise<CertificateView> {
    const record = await this.#record(id);
    if (record.chainPem && !record.revokedAt) {
      await (await this.#account()).revoke(record.chainPem);
      this.#o.logger.warn(
        { certificate: id, names: record.names },
        'certificate revoked; ordering its replacement',
      );
    }
    const now = this.#iso(this.#o.clock());
    await this.#certs.update(id, (c) => ({
      ...c,
      revokedAt: c.revokedAt ?? now,
      forced: true,
      renewAt: now,
    }));
    await this.check();
    return this.get(id);
  }

  /**
   * Certifies `name` at its first handshake when on-demand issuance is on, a route serves the
   * name and the hourly budget allows; resolves once it is served (true) or refused (false).
   */
  async onDemand(name: string): Promise<boolean> {
    const host = name.toLowerCase();
    if (!this.#o.settings.onDemand.enabled) return false;
    const refuse = (reason: string) => {
      this.#o.logger.info({ name: host, reason }, 'on-demand certificate refused');
      return false;
    };
    const unfit = unfitReason(host);
    if (unfit) return refuse(unfit);
    if (!this.#o.serves(host)) return refuse('no route serves this name');
    const id = groupId([host]);
    let record = await this.#certs.get(id);
    if (!record?.chainPem) {
      if (!record) {
        if (!this.#budget.take()) return refuse('past --acme-on-demand-per-hour: try again later');
        record = await this.#create([host], 'on-demand');
      } else if (record.lastError && Date.parse(record.renewAt) > this.#o.clock()) {
        // A name whose order failed waits for its backoff, however many handshakes ask.
        return refuse(`its last order failed; next attempt at ${record.renewAt}`);
      }
      await this.#issue(record);
      record = await this.#certs.get(id);
    }
    if (!record?.chainPem) return false;
    this.#served.serve(record);
    return true;
  }

  async #round(): Promise<void> {
    const now = this.#o.clock();
    const all = await this.#certs.list();
    const plan = planCertificates(
      this.#o.wanted(),
      all.filter((c) => c.origin === 'config'),
    );
    for (const names of plan.create) await this.#create(names, 'config');
    // On-demand certificates live as long as a route serves their name.
    const unserved = all.filter((c) => c.origin === 'on-demand' && !c.names.some((n) => this.#o.serves(n)));
    for (const id of [...plan.retire, ...unserved.map((c) => c.id)]) {
      await this.#certs.delete(id);
      this.#o.logger.info(
        { certificate: id },
        'certificate no longer needed by any route or setting: deleted',
      );
    }
    for (const kept of plan.keep)
      await this.#certs.update(kept.id, (c) =>
        sameNames(c.names, kept.names) ? undefined : { ...c, names: kept.names },
      );
    for (const record of await this.#certs.list()) {
      if (this.#stopped) return;
      let current = record;
      if (current.chainPem && current.ariId && current.ari && Date.parse(current.ari.checkAfter) <= now)
        current = (await this.#refreshAri(current)) ?? current;
      if (current.forced || !current.chainPem || Date.parse(current.renewAt) <= now)
        await this.#issue(current);
      else this.#report(current, now);
    }
  }

  async #create(names: readonly string[], origin: ManagedCertificateRecord['origin']) {
    const at = this.#iso(this.#o.clock());
    const record: ManagedCertificateRecord = {
      id: groupId(names),
      names,
      origin,
      directory: this.#o.settings.directory,
      ...(this.#o.settings.profile ? { profile: this.#o.settings.profile } : {}),
      renewAt: at,
      failures: 0,
      createdAt: at,
      updatedAt: at,
    };
    try {
      await this.#certs.insert(record);
      return record;
    } catch (error) {
      // Another node planned the same names first: its record is the one.
      if (error instanceof StoreError && error.code === 'STORE_CONFLICT')
        return (await this.#certs.get(record.id))!;
      throw error;
    }
  }

  /** Orders the certificate under its lease; another node holding the lease orders it instead. */
  async #issue(record: ManagedCertificateRecord): Promise<void> {
    const { leases } = challengeStores(this.#o.store.ephemeral);
    const lease = { node: this.#node };
    if (!(await leases.putIfAbsent(record.id, lease, ORDER_LEASE_MS))) {
      await this.#waitForOther(record);
      return;
    }
    const { settings, logger } = this.#o;
    try {
      const ca = await this.#account();
      const ariOffered = typeof (await ca.directory())['renewalInfo'] === 'string';
      if (settings.profile) {
        const offered = await ca.profiles();
        if (!(settings.profile in offered))
          throw new CertError(
            'CERT_ORDER_FAILED',
            `the CA offers no profile ${settings.profile} (it offers ${Object.keys(offered).join(', ') || 'none'}): change --acme-profile`,
          );
      }
      const replaces = ariOffered && record.chainPem && !record.revokedAt ? record.ariId : undefined;
      const order = (replacing: string | undefined) =>
        ca.order(record.names, {
          type: settings.challenge,
          hooks: storedChallengeHooks(this.#o.store.ephemeral),
          profile: settings.profile,
          replaces: replacing,
        });
      // A certificate the CA says was replaced already (an earlier order whose result was lost)
      // can never be named again: order without `replaces` rather than fail at every attempt.
      const issued = await order(replaces).catch((error: unknown) => {
        if (replaces && error instanceof CertError && error.problem?.type?.endsWith(':alreadyReplaced'))
          return order(undefined);
        throw error;
      });
      const now = this.#o.clock();
      const ariId = ariCertId(issued.chainPem);
      const info = ariId && ariOffered ? await ca.renewalInfo(ariId).catch(() => undefined) : undefined;
      const renewAt = renewalTime(issued, info?.window, this.#o.random ?? Math.random);
      const next = await this.#certs.update(record.id, (c) => {
        const { lastError: _e, forced: _f, revokedAt: _r, ari: _a, ...rest } = c;
        return {
          ...rest,
          directory: settings.directory,
          chainPem: issued.chainPem,
          sealedKey: seal(this.#o.sealKey, issued.keyPem, c.id),
          issuer: issued.issuer,
          notBefore: this.#iso(issued.notBefore),
          notAfter: this.#iso(issued.notAfter),
          ...(settings.profile ? { profile: settings.profile } : {}),
          ...(ariId ? { ariId } : {}),
          ...ariFields(info, now),
          renewAt: this.#iso(renewAt),
          failures: 0,
          updatedAt: this.#iso(now),
        };
      });
      this.#o.metrics.certificateOrders.inc({ outcome: 'issued' });
      logger.info(
        {
          certificate: record.id,
          names: record.names,
          notAfter: this.#iso(issued.notAfter),
          renewAt: this.#iso(renewAt),
          ...(replaces ? { replaces } : {}),
        },
        record.chainPem ? 'certificate renewed' : 'certificate issued',
      );
      if (next) {
        this.#served.serve(next);
        this.#report(next, now);
      }
    } catch (error) {
      await this.#recordFailure(record, error);
    } finally {
      await leases.deleteIf(record.id, lease);
    }
  }

  async #recordFailure(record: ManagedCertificateRecord, error: unknown): Promise<void> {
    const now = this.#o.clock();
    const failure =
      error instanceof CertError
        ? error
        : new CertError('CERT_ORDER_FAILED', `ordering failed: ${(error as Error).message}`, {
            cause: error,
          });
    const updated = await this.#certs.update(record.id, (c) => withFailure(c, failure, now));
    this.#o.metrics.certificateOrders.inc({ outcome: 'failed' });
    this.#o.logger.warn(
      {
        certificate: record.id,
        names: record.names,
        code: failure.code,
        problem: failure.problem,
        failures: updated?.failures,
        nextAttempt: updated?.renewAt,
      },
      failure.message,
    );
    if (updated) this.#report(updated, now);
  }

  /** Asks ARI again; a window that moved moves the renewal time into it. */
  async #refreshAri(record: ManagedCertificateRecord): Promise<ManagedCertificateRecord | undefined> {
    const now = this.#o.clock();
    try {
      const info = await (await this.#account()).renewalInfo(record.ariId!);
      return await this.#certs.update(record.id, (c) =>
        withRenewalInfo(c, info, now, this.#o.random ?? Math.random),
      );
    } catch (error) {
      this.#o.logger.warn(
        { certificate: record.id, err: (error as Error).message },
        'renewal information unavailable; keeping the current schedule',
      );
      return undefined;
    }
  }

  /** Another node holds the lease: wait (briefly) for its result to reach the store. */
  async #waitForOther(record: ManagedCertificateRecord): Promise<void> {
    const before = record.chainPem;
    for (let i = 0; i < 100 && !this.#stopped; i++) {
      const now = await this.#certs.get(record.id);
      if (now?.chainPem && now.chainPem !== before) {
        this.#served.serve(now);
        return;
      }
      if (!(await challengeStores(this.#o.store.ephemeral).leases.get(record.id))) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Expiry in the metrics; a certificate near its end and not renewed is a warning in the log too. */
  #report(record: ManagedCertificateRecord, now: number): void {
    if (!record.notAfter || !record.notBefore) return;
    const labels = { certificate: record.id, name: record.names[0] ?? '' };
    const facts = { notBefore: Date.parse(record.notBefore), notAfter: Date.parse(record.notAfter) };
    this.#o.metrics.certificateExpiry.set(labels, Math.floor(facts.notAfter / 1000));
    const near = nearExpiry(facts, now);
    this.#o.metrics.certificateNearExpiry.set(labels, near ? 1 : 0);
    if (near)
      this.#o.logger.warn(
        {
          certificate: record.id,
          names: record.names,
          notAfter: record.notAfter,
          lastError: record.lastError?.message,
        },
        'certificate near its end and not renewed: see GET /api/v1/certificates/ for the last error, and POST …/renew to try now',
      );
  }

  async #sync(): Promise<void> {
    this.#served.sync(await this.#certs.list());
  }

  async #record(id: string): Promise<ManagedCertificateRecord> {
    const record = await this.#certs.get(id);
    if (!record) throw notFound(id);
    return record;
  }

  /** The account at the configured CA, opened on first use; a failed open (the CA down) is tried again next time. */
  #account(): Promise<AcmeCa> {
    const { store, settings, sealKey, clock } = this.#o;
    this.#ca ??= openAcmeAccount(store, settings, sealKey, clock);
    this.#ca.catch(() => {
      this.#ca = undefined;
    });
    return this.#ca;
  }

  #failed(error: unknown): void {
    this.#o.logger.error({ err: error }, 'checking certificates failed');
  }

  #iso(ms: number): string {
    return new Date(ms).toISOString();
  }
}

/** A certificate's id from its first names: the same on every node, so two nodes plan one record. */
function groupId(names: readonly string[]): string {
  return createHash('sha256')
    .update([...names].sort().join(','))
    .digest('hex')
    .slice(0, 20);
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

function notFound(id: string): CertError {
  return new CertError('CERT_NOT_FOUND', `no certificate ${id}: list them with GET /api/v1/certificates/`);
}
