import { AsyncLocalStorage } from 'node:async_hooks';
import { X509Certificate } from 'node:crypto';
import { Agent, request as httpsRequest } from 'node:https';
import { rootCertificates } from 'node:tls';
import * as acme from 'acme-client';
import { type AcmeProblem, CertError } from './cert-error.ts';

/** What Gatehouse asks of the CA: its directory, who to tell, and how to sign up. */
export interface AcmeCaSettings {
  readonly directory: string;
  readonly email?: string | undefined;
  /** External Account Binding, for CAs that need it (ZeroSSL, Google Trust Services). */
  readonly eab?: { readonly kid: string; readonly hmacKey: string } | undefined;
}

/** A challenge to put up, and to take down once the CA has looked. */
export interface ChallengeHooks {
  /** `http-01`: serve `keyAuthorization` at the token's path; `tls-alpn-01`: answer with a certificate. */
  present(type: ChallengeType, name: string, token: string, keyAuthorization: string): Promise<void>;
  remove(type: ChallengeType, name: string, token: string): Promise<void>;
}

/** The challenge types Gatehouse answers. */
export type ChallengeType = 'http-01' | 'tls-alpn-01';

/** A certificate as issued: its key, its chain, and what is read from the leaf. */
export interface IssuedCertificate {
  readonly keyPem: string;
  readonly chainPem: string;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly issuer: string;
}

/** What ARI says of one certificate; `window` is absent when the answer had none usable. */
export interface RenewalInfo {
  readonly window?: { readonly start: number; readonly end: number };
  readonly explanationUrl?: string;
  readonly retryAfterSeconds: number | undefined;
}

/** CA roots the ACME client trusts besides the system's: a private CA's, a test CA's. */
const extraRoots = new Set<string>();

/**
 * Trusts `pem` for the ACME API besides the system roots. acme-client speaks through one axios
 * instance for the whole process, so the trust is the process's; it only ever grows.
 */
export function trustAcmeRoots(pem: string): void {
  if (extraRoots.has(pem)) return;
  extraRoots.add(pem);
  acme.axios.defaults.httpsAgent = new Agent({ ca: [...rootCertificates, ...extraRoots], keepAlive: true });
}

// Failed requests are retried by the renewal loop with its own backoff, which sees Retry-After;
// the library's own retries would only hold an order (and a test) for minutes.
(
  acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }
).acmeSettings.retryMaxAttempts = 0;

/** An account key for a new account: P-256, as small and quick as keys go. */
export function newAccountKey(): Promise<Buffer> {
  return acme.crypto.createPrivateEcdsaKey('P-256');
}

/** Reads what Gatehouse shows of a certificate from the leaf of a chain. */
export function leafFacts(chainPem: string): Pick<IssuedCertificate, 'notBefore' | 'notAfter' | 'issuer'> {
  const leaf = new X509Certificate(chainPem);
  const issuer = /CN=([^\n]+)/.exec(leaf.issuer)?.[1] ?? leaf.issuer.replaceAll('\n', ', ');
  return { notBefore: Date.parse(leaf.validFrom), notAfter: Date.parse(leaf.validTo), issuer };
}

/** One ACME account at one CA: orders certificates, fetches directory fields, revokes. */
export class AcmeCa {
  readonly #client: acme.Client;
  readonly #settings: AcmeCaSettings;
  #directory: Record<string, unknown> | undefined;
  #registered = false;

  constructor(settings: AcmeCaSettings, accountKey: string, accountUrl?: string) {
    this.#settings = settings;
    this.#client = new acme.Client({
      directoryUrl: settings.directory,
      accountKey,
      ...(accountUrl ? { accountUrl } : {}),
      ...(settings.eab ? { externalAccountBinding: settings.eab } : {}),
      // Polls for a challenge or an order start quick and slow down: a test CA is done in
      // milliseconds, a busy production CA in seconds.
      backoffMin: 300,
      backoffMax: 5000,
      backoffAttempts: 12,
    });
    this.#registered = accountUrl !== undefined;
  }

  /** The directory's contents (cached per instance). */
  async directory(): Promise<Record<string, unknown>> {
    if (this.#directory) return this.#directory;
    const answer = await call(this.#settings.directory, () => acme.axios.get(this.#settings.directory));
    if (answer.status !== 200 || typeof answer.data !== 'object')
      throw new CertError(
        'CERT_CA_UNREACHABLE',
        `the ACME directory ${this.#settings.directory} answered ${answer.status}: check --acme-directory`,
      );
    this.#directory = answer.data as Record<string, unknown>;
    return this.#directory;
  }

  /** Registers the account (or finds it, for an existing key); returns its URL. */
  async register(): Promise<string> {
    if (!this.#registered) {
      await call(this.#settings.directory, () =>
        this.#client.createAccount({
          termsOfServiceAgreed: true,
          ...(this.#settings.email ? { contact: [`mailto:${this.#settings.email}`] } : {}),
        }),
      );
      this.#registered = true;
    }
    return this.#client.getAccountUrl();
  }

  /**
   * Orders a certificate for `names`: one order, every authorization answered by `type` through
   * `hooks`, a fresh P-256 key, finalize, download. `profile` and `replaces` go into newOrder when
   * given (the profiles draft and RFC 9773 §5).
   */
  async order(
    names: readonly string[],
    options: {
      readonly type: ChallengeType;
      readonly hooks: ChallengeHooks;
      readonly profile?: string | undefined;
      readonly replaces?: string | undefined;
    },
  ): Promise<IssuedCertificate> {
    const where = this.#settings.directory;
    await this.register();
    const request = {
      identifiers: names.map((value) => ({ type: 'dns', value })),
      ...(options.profile ? { profile: options.profile } : {}),
      ...(options.replaces ? { replaces: options.replaces } : {}),
    };
    const order = await call(where, () =>
      this.#client.createOrder(request as Parameters<acme.Client['createOrder']>[0]),
    );
    const authorizations = await call(where, () => this.#client.getAuthorizations(order));
    for (const authz of authorizations) {
      if (authz.status === 'valid') continue;
      const name = authz.identifier.value;
      const challenge = authz.challenges.find((c) => c.type === options.type);
      if (!challenge)
        throw new CertError(
          'CERT_ORDER_FAILED',
          `the CA offers no ${options.type} challenge for ${name} (it offers ${authz.challenges.map((c) => c.type).join(', ')}): set --acme-challenge to one of those`,
        );
      const token = (challenge as { token?: string }).token ?? '';
      const keyAuthorization = await this.#client.getChallengeKeyAuthorization(challenge);
      await options.hooks.present(options.type, name, token, keyAuthorization);
      try {
        await call(where, () => this.#client.completeChallenge(challenge));
        await this.#client.waitForValidStatus(challenge).catch(async (error: unknown) => {
          throw await this.#challengeFailure(order, name, options.type, error);
        });
      } finally {
        await options.hooks.remove(options.type, name, token);
      }
    }
    const key = await acme.crypto.createPrivateEcdsaKey('P-256');
    const [, csr] = await acme.crypto.createCsr({ commonName: names[0]!, altNames: [...names] }, key);
    const finalized = await call(where, () => this.#client.finalizeOrder(order, csr));
    const chainPem = await call(where, () => this.#client.getCertificate(finalized));
    return { keyPem: key.toString(), chainPem, ...leafFacts(chainPem) };
  }

  /**
   * The CA's renewal information for a certificate (RFC 9773): its suggested window, the page that
   * explains it, and how long until asking again. Undefined when the CA offers no ARI.
   */
  async renewalInfo(ariId: string): Promise<RenewalInfo | undefined> {
    const base = (await this.directory())['renewalInfo'];
    if (typeof base !== 'string') return undefined;
    const url = `${base.replace(/\/$/, '')}/${ariId}`;
    const answer = await call(this.#settings.directory, () => acme.axios.get(url));
    const retryAfter = Number(answer.headers['retry-after']);
    const retryAfterSeconds = Number.isFinite(retryAfter) ? retryAfter : undefined;
    const window = (answer.data as { suggestedWindow?: { start?: string; end?: string } })?.suggestedWindow;
    const start = Date.parse(window?.start ?? '');
    const end = Date.parse(window?.end ?? '');
    if (answer.status !== 200 || Number.isNaN(start) || Number.isNaN(end)) return { retryAfterSeconds };
    const explanationUrl = (answer.data as { explanationURL?: unknown }).explanationURL;
    return {
      window: { start, end },
      ...(typeof explanationUrl === 'string' ? { explanationUrl } : {}),
      retryAfterSeconds,
    };
  }

  /** Profiles the CA offers (`meta.profiles`), by name with their description. */
  async profiles(): Promise<Record<string, string>> {
    const meta = (await this.directory())['meta'] as { profiles?: Record<string, string> } | undefined;
    return meta?.profiles ?? {};
  }

  /** Revokes a certificate (reason 0, unspecified) with the account that ordered it. */
  async revoke(chainPem: string): Promise<void> {
    await this.register();
    await call(this.#settings.directory, () => this.#client.revokeCertificate(chainPem));
  }

  /** The challenge's own error (its problem document), fetched again since the library keeps only the text. */
  async #challengeFailure(
    order: acme.Order,
    name: string,
    type: ChallengeType,
    cause: unknown,
  ): Promise<CertError> {
    let problem: AcmeProblem | undefined;
    try {
      const authorizations = await this.#client.getAuthorizations(order);
      const challenge = authorizations
        .find((a) => a.identifier.value === name)
        ?.challenges.find((c) => c.type === type);
      problem = challenge?.error as AcmeProblem | undefined;
    } catch {
      // The text of the first failure is still worth reporting.
    }
    problem ??= { detail: (cause as Error).message };
    const how =
      type === 'http-01'
        ? `check that ${name} resolves to this server and that port 80 reaches its HTTP listener`
        : `check that ${name} resolves to this server and that port 443 reaches its HTTPS listener with nothing terminating TLS in front`;
    return new CertError(
      'CERT_ORDER_FAILED',
      `the CA could not validate ${name} by ${type}: ${problem.detail ?? problem.type ?? 'no detail given'}; ${how}`,
      { problem, cause },
    );
  }
}

/** The last problem document the CA answered within one {@link call}, with its Retry-After. */
interface ProblemSlot {
  problem?: AcmeProblem;
  retryAfterSeconds?: number | undefined;
}

/**
 * The library turns a CA's problem document into an Error carrying only its detail; the answer
 * itself is kept here, per call, so a failure reports the CA's type, subproblems and Retry-After.
 */
const problems = new AsyncLocalStorage<ProblemSlot>();
acme.axios.interceptors.response.use((answer) => {
  const slot = problems.getStore();
  const data = answer.data as AcmeProblem | undefined;
  if (slot && answer.status >= 400 && data && typeof data === 'object' && typeof data.type === 'string') {
    slot.problem = data;
    const retryAfter = Number(answer.headers['retry-after']);
    slot.retryAfterSeconds = Number.isFinite(retryAfter) ? retryAfter : undefined;
  }
  return answer;
});

/** Runs a call to the CA, turning network failures and the library's errors into {@link CertError}s. */
async function call<T>(directory: string, work: () => Promise<T>): Promise<T> {
  const slot: ProblemSlot = {};
  try {
    return await problems.run(slot, work);
  } catch (error) {
    if (error instanceof CertError) throw error;
    const message = (error as Error).message ?? String(error);
    const problem = slot.problem && message.includes(slot.problem.detail ?? '') ? slot.problem : undefined;
    if (problem) {
      const wait =
        slot.retryAfterSeconds === undefined
          ? ''
          : `; Gatehouse tries again in ${slot.retryAfterSeconds} s, as the CA asks`;
      throw new CertError(
        'CERT_ORDER_FAILED',
        `the ACME CA at ${directory} refused: ${problem.detail ?? problem.type} (${problem.type})${wait}`,
        {
          problem,
          retryAfterSeconds: slot.retryAfterSeconds,
          cause: error,
        },
      );
    }
    // The library loses a network error's code once its retries are spent (its interceptor then
    // fails on the missing response), so the directory is asked once more, plainly.
    const code = (error as { code?: string }).code ?? (await unreachableCode(directory));
    if (code && NETWORK_CODES.test(code))
      throw new CertError(
        'CERT_CA_UNREACHABLE',
        `the ACME CA at ${directory} did not answer (${code}): check --acme-directory (and --acme-directory-ca for a private CA) and that this server can reach it; Gatehouse retries with backoff`,
        { cause: error },
      );
    throw new CertError('CERT_ORDER_FAILED', `the ACME CA at ${directory} refused: ${message}`, {
      problem: { detail: message },
      cause: error,
    });
  }
}

const NETWORK_CODES =
  /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|EPROTO|CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO)/;

/** The network error's code when the directory cannot be reached, else undefined. */
function unreachableCode(directory: string): Promise<string | undefined> {
  if (!directory.startsWith('https:')) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    const req = httpsRequest(
      directory,
      { method: 'GET', agent: acme.axios.defaults.httpsAgent as Agent | undefined, timeout: 10_000 },
      (res) => {
        res.resume();
        resolve(undefined);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'ECONNRESET'));
    req.end();
  });
}
