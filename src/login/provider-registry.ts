import { createHash } from 'node:crypto';
import type { UpstreamProvider } from '../identity/identity.ts';
import { GitHubProvider } from './github.ts';
import { GitLabProvider } from './gitlab.ts';
import type { ProviderDeps } from './provider-deps.ts';
import type { LoginSettings, ProviderCredentials } from './provider-settings.ts';

/** Route apps kept built at once; past it the least recently used is built again when needed. */
const ROUTE_PROVIDER_CACHE = 256;

/** What {@link providersFrom} needs besides the settings; `extra` adds providers built elsewhere (OIDC). */
export interface RegistryDeps extends ProviderDeps {
  readonly extra?: readonly UpstreamProvider[] | undefined;
}

/** The gateway's login providers from the global settings: GitHub, GitLab, then `extra` (OIDC). */
export function providersFrom(settings: LoginSettings, deps: RegistryDeps): readonly UpstreamProvider[] {
  return Object.freeze([
    ...(settings.github ? [new GitHubProvider(settings.github, deps)] : []),
    ...(settings.gitlab ? [new GitLabProvider(settings.gitlab, deps)] : []),
    ...(deps.extra ?? []),
  ]);
}

/**
 * The global providers and the routes' own apps, each built once. Providers hold secrets only in
 * private fields; the cache is keyed by a hash of the credentials, never the credentials.
 */
export class ProviderRegistry {
  /** The providers from the global settings, in the order a login page lists them. */
  readonly global: readonly UpstreamProvider[];
  readonly #deps: ProviderDeps;
  readonly #built = new Map<string, UpstreamProvider>();

  constructor(settings: LoginSettings, deps: RegistryDeps) {
    this.global = providersFrom(settings, deps);
    this.#deps = deps;
  }

  /**
   * A route's providers: its own GitHub/GitLab apps in place of the global ones of the same id, the
   * other global providers as they are. No route credentials: the global providers.
   */
  forRoute(credentials: ProviderCredentials | undefined): readonly UpstreamProvider[] {
    if (!credentials || (!credentials.github && !credentials.gitlab)) return this.global;
    const own: UpstreamProvider[] = [];
    if (credentials.github)
      own.push(
        this.#cached('github', credentials.github, () => new GitHubProvider(credentials.github!, this.#deps)),
      );
    if (credentials.gitlab)
      own.push(
        this.#cached('gitlab', credentials.gitlab, () => new GitLabProvider(credentials.gitlab!, this.#deps)),
      );
    const ids = new Set(own.map((p) => p.id));
    return Object.freeze([...own, ...this.global.filter((p) => !ids.has(p.id))]);
  }

  /**
   * The provider with this id and, when given, this app's client ID (a saved grant belongs to the app
   * that issued it: a GitLab refresh only works with the same application).
   */
  find(id: string, clientId?: string): UpstreamProvider | undefined {
    const matches = (p: UpstreamProvider) =>
      p.id === id && (clientId === undefined || (p as { clientId?: string }).clientId === clientId);
    return this.global.find(matches) ?? [...this.#built.values()].find(matches);
  }

  #cached(id: string, credentials: object, build: () => UpstreamProvider): UpstreamProvider {
    const key = `${id}:${createHash('sha256').update(JSON.stringify(credentials)).digest('base64url')}`;
    const hit = this.#built.get(key);
    if (hit) {
      this.#built.delete(key);
      this.#built.set(key, hit);
      return hit;
    }
    const provider = build();
    this.#built.set(key, provider);
    if (this.#built.size > ROUTE_PROVIDER_CACHE) this.#built.delete(this.#built.keys().next().value!);
    return provider;
  }

  toJSON(): Record<string, unknown> {
    return { global: this.global, routeApps: this.#built.size };
  }
}

/** A route's providers from its `auth.providers` credentials, built once by the registry. */
export function providersForRoute(
  routeCredentials: ProviderCredentials | undefined,
  global: ProviderRegistry,
): readonly UpstreamProvider[] {
  return global.forRoute(routeCredentials);
}
