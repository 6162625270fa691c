import { createHash } from 'node:crypto';
import type { UpstreamProvider } from '../identity/identity.ts';
import { GitHubProvider } from './github.ts';
import { GitLabProvider } from './gitlab.ts';
import type { ProviderDeps } from './provider-deps.ts';
import type { LoginSettings } from './provider-settings.ts';

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

/** A route's own OAuth apps: client ID and secret; the endpoints are the global provider's. */
export interface RouteApps {
  readonly github?: { readonly clientId: string; readonly clientSecret: string } | undefined;
  readonly gitlab?: { readonly clientId: string; readonly clientSecret: string } | undefined;
}

/**
 * The global providers and the routes' own apps, each built once. Providers hold secrets only in
 * private fields; the cache is keyed by a hash of the credentials, never the credentials.
 */
export class ProviderRegistry {
  /** The providers from the global settings, in the order a login page lists them. */
  readonly global: readonly UpstreamProvider[];
  readonly #settings: LoginSettings;
  readonly #deps: ProviderDeps;
  readonly #built = new Map<string, UpstreamProvider>();

  constructor(settings: LoginSettings, deps: RegistryDeps) {
    this.global = providersFrom(settings, deps);
    this.#settings = settings;
    this.#deps = deps;
  }

  /**
   * A route's providers: its own GitHub/GitLab apps in place of the global ones of the same id (on
   * the same GitHub Enterprise or GitLab URL when one is configured), the other global providers as
   * they are. No route apps: the global providers.
   */
  forRoute(apps: RouteApps | undefined): readonly UpstreamProvider[] {
    if (!apps?.github && !apps?.gitlab) return this.global;
    const { github, gitlab } = this.#settings;
    const own: UpstreamProvider[] = [];
    if (apps.github) {
      const credentials = { ...apps.github, url: github?.url, apiUrl: github?.apiUrl };
      own.push(this.#cached('github', credentials, () => new GitHubProvider(credentials, this.#deps)));
    }
    if (apps.gitlab) {
      const credentials = { ...apps.gitlab, url: gitlab?.url };
      own.push(this.#cached('gitlab', credentials, () => new GitLabProvider(credentials, this.#deps)));
    }
    const ids = new Set(own.map((p) => p.id));
    return Object.freeze([...own, ...this.global.filter((p) => !ids.has(p.id))]);
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
