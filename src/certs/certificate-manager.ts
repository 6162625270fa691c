import { createHash, randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import { type SealingKey, seal, unseal } from '../core/sealing.ts';
import { StoreError } from '../store/errors.ts';
import type { Store } from '../store/types.ts';
import { AcmeCa, type AcmeCaSettings, type ChallengeType, newAccountKey } from './acme-ca.ts';
import { ariCertId } from './ari-cert-id.ts';
import { CertError } from './cert-error.ts';
import {
  ACME_ACCOUNTS,
  challengeStores,
  MANAGED_CERTIFICATES,
  type ManagedCertificateRecord,
} from './cert-records.ts';
import { planCertificates, unfitReason } from './certificate-names.ts';
import { storedChallengeHooks } from './challenges.ts';
import { OnDemandBudget } from './on-demand-budget.ts';
import { nearExpiry, nextAriCheck, renewalTime, retryTime } from './renewal-schedule.ts';

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
  /** Serves a certificate for its names on every HTTPS listener (and the telemetry one). */
  readonly install: (names: readonly string[], pem: { cert: Buffer; key: Buffer }) => void;
  /** Uniform in [0, 1): picks the time inside an ARI window. */
  readonly random?: () => number;
  /** How often certificates are checked (real time; the clock decides what is due). */
  readonly checkEveryMs?: number;
}

/** What the admin API shows of a certificate: never its key. */
export interface CertificateView {
  readonly id: string;
  readonly names: readonly string[];
  readonly origin: ManagedCertificateRecord['origin'];
  readonly status: 'pending' | 'valid' | 'near-expiry' | 'expired' | 'revoked';
  readonly issuer: string | null;
  readonly notBefore: string | null;
  readonly notAfter: string | null;
  readonly profile: string | null;
  readonly ariWindow: { start: string; end: string; explanationUrl: string | null } | null;
  readonly renewAt: string;
  readonly failures: number;
  readonly lastError: ManagedCertificateRecord['lastError'] | null;
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
  readonly #installed = new Map<string, string>();
  readonly #budget: OnDemandBudget;
  #ca: Promise<AcmeCa> | undefined;
  #checking: Promise<void> | undefined;
  #again = false;
  #timer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #stopped = false;

  constructor(options: CertificateManagerOptions) {
    this.#o = options;
    this.#budget = new OnDemandBudget(options.settings.onDemand.perHour, options.clock);
  }

  get #certs() {
    return this.#o.store.collection(MANAGED_CERTIFICATES);
  }

  /** Serves what the store holds, then checks now and every `checkEveryMs`, and on every route change. */
  async start(): Promise<void> {
    await this.#installAll();
    this.#unsubscribe = this.#o.store.onChange((event) => {
      if (event.topic === MANAGED_CERTIFICATES.topic) void this.#installAll().catch((e) => this.#failed(e));
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
    return (await this.#certs.list()).map((r) => this.#view(r));
  }

  /** One certificate as the admin API shows it. */
  async get(id: string): Promise<CertificateView> {
    const record = await this.#certs.get(id);
    if (!record) throw notFound(id);
    return this.#view(record);
  }

  /** The certificate chain (PEM, leaf first) as issued: public, for a client's trust configuration. */
  async chain(id: string): Promise<string> {
    const record = await this.#certs.get(id);
    if (!record) throw notFound(id);
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
    const record = await this.#certs.get(id);
    if (!record) throw notFound(id);
    if (record.chainPem && !record.revokedAt) {
      await (await this.#account()).revoke(record.chainPem);
      this.#o.logger.warn(
        { certificate: id, names: record.names },
        'certificate revoked; ordering its replacement',
      );
    }
    await this.#certs.update(id, (c) => ({
      ...c,
      revokedAt: c.revokedAt ?? this.#iso(this.#o.clock()),
      forced: true,
      renewAt: this.#iso(this.#o.clock()),
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
    this.#installOne(record);
    return true;
  }

  async #round(): Promise<void> {
    const now = this.#o.clock();
    const all = await this.#certs.list();
    const configured = all.filter((c) => c.origin === 'config');
    const plan = planCertificates(this.#o.wanted(), configured);
    for (const names of plan.create) await this.#create(names, 'config');
    for (const id of plan.retire) {
      await this.#certs.delete(id);
      this.#o.logger.info({ certificate: id }, 'certificate no longer needed by any route: deleted');
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
      const issued = await ca.order(record.names, {
        type: settings.challenge,
        hooks: storedChallengeHooks(this.#o.store.ephemeral),
        profile: settings.profile,
        replaces,
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
          ...(info?.window
            ? {
                ari: {
                  start: this.#iso(info.window.start),
                  end: this.#iso(info.window.end),
                  ...(info.explanationUrl ? { explanationUrl: info.explanationUrl } : {}),
                  checkAfter: this.#iso(nextAriCheck(now, info.retryAfterSeconds)),
                },
              }
            : {}),
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
      if (next) this.#installOne(next);
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
    const updated = await this.#certs.update(record.id, (c) => ({
      ...c,
      failures: c.failures + 1,
      forced: false,
      renewAt: this.#iso(
        retryTime(now, c.failures + 1, {
          notAfter: c.notAfter ? Date.parse(c.notAfter) : undefined,
          retryAfterSeconds: failure.retryAfterSeconds,
        }),
      ),
      lastError: {
        at: this.#iso(now),
        code: failure.code,
        message: failure.message,
        ...(failure.problem ? { problem: failure.problem } : {}),
      },
      updatedAt: this.#iso(now),
    }));
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

  /** Asks ARI again; a new window moves the renewal time. */
  async #refreshAri(record: ManagedCertificateRecord): Promise<ManagedCertificateRecord | undefined> {
    const now = this.#o.clock();
    try {
      const info = await (await this.#account()).renewalInfo(record.ariId!);
      return await this.#certs.update(record.id, (c) => {
        const moved =
          info?.window &&
          (!c.ari ||
            Date.parse(c.ari.start) !== info.window.start ||
            Date.parse(c.ari.end) !== info.window.end);
        return {
          ...c,
          ...(info?.window
            ? {
                ari: {
                  start: this.#iso(info.window.start),
                  end: this.#iso(info.window.end),
                  ...(info.explanationUrl ? { explanationUrl: info.explanationUrl } : {}),
                  checkAfter: this.#iso(nextAriCheck(now, info.retryAfterSeconds)),
                },
              }
            : {}),
          ...(moved && info?.window
            ? {
                renewAt: this.#iso(
                  renewalTime(
                    { notBefore: Date.parse(c.notBefore!), notAfter: Date.parse(c.notAfter!) },
                    info.window,
                    this.#o.random ?? Math.random,
                  ),
                ),
              }
            : {}),
          updatedAt: this.#iso(now),
        };
      });
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
        this.#installOne(now);
        return;
      }
      if (!(await challengeStores(this.#o.store.ephemeral).leases.get(record.id))) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** Near-expiry warnings in the log and the metrics. */
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

  async #installAll(): Promise<void> {
    for (const record of await this.#certs.list()) this.#installOne(record);
  }

  #installOne(record: ManagedCertificateRecord): void {
    if (!record.chainPem || !record.sealedKey) return;
    if (this.#installed.get(record.id) === record.chainPem) return;
    const key = unseal(this.#o.sealKey, record.sealedKey, record.id);
    if (key === undefined) {
      this.#o.logger.error(
        { certificate: record.id },
        'the stored certificate key does not open with this secret key: give every node the same GATEHOUSE_SECRET_KEY',
      );
      return;
    }
    this.#o.install(record.names, { cert: Buffer.from(record.chainPem), key: Buffer.from(key) });
    this.#installed.set(record.id, record.chainPem);
  }

  /** The account at the configured CA, made and stored on first use (sealed), shared by every node. */
  #account(): Promise<AcmeCa> {
    this.#ca ??= (async () => {
      const { settings, sealKey } = this.#o;
      const accounts = this.#o.store.collection(ACME_ACCOUNTS);
      let account = await accounts.get(settings.directory);
      if (!account) {
        const fresh = {
          directory: settings.directory,
          sealedKey: seal(sealKey, (await newAccountKey()).toString(), settings.directory),
          ...(settings.email ? { email: settings.email } : {}),
          createdAt: this.#iso(this.#o.clock()),
        };
        try {
          await accounts.insert(fresh);
        } catch (error) {
          if (!(error instanceof StoreError && error.code === 'STORE_CONFLICT')) throw error;
        }
        account = (await accounts.get(settings.directory))!;
      }
      const key = unseal(sealKey, account.sealedKey, settings.directory);
      if (key === undefined)
        throw new CertError(
          'CERT_ORDER_FAILED',
          'the stored ACME account key does not open with this secret key: give every node the same GATEHOUSE_SECRET_KEY',
        );
      const ca = new AcmeCa(settings, key, account.accountUrl);
      const url = await ca.register();
      if (url !== account.accountUrl)
        await accounts.update(settings.directory, (a) => ({ ...a, accountUrl: url }));
      return ca;
    })();
    // A failed start (the CA down) is tried again next time.
    this.#ca.catch(() => {
      this.#ca = undefined;
    });
    return this.#ca;
  }

  #view(r: ManagedCertificateRecord): CertificateView {
    const now = this.#o.clock();
    const status: CertificateView['status'] = r.revokedAt
      ? 'revoked'
      : !r.notAfter || !r.notBefore
        ? 'pending'
        : Date.parse(r.notAfter) <= now
          ? 'expired'
          : nearExpiry({ notBefore: Date.parse(r.notBefore), notAfter: Date.parse(r.notAfter) }, now)
            ? 'near-expiry'
            : 'valid';
    return {
      id: r.id,
      names: r.names,
      origin: r.origin,
      status,
      issuer: r.issuer ?? null,
      notBefore: r.notBefore ?? null,
      notAfter: r.notAfter ?? null,
      profile: r.profile ?? null,
      ariWindow: r.ari
        ? { start: r.ari.start, end: r.ari.end, explanationUrl: r.ari.explanationUrl ?? null }
        : null,
      renewAt: r.renewAt,
      failures: r.failures,
      lastError: r.lastError ?? null,
    };
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
