import type { AnswerKind, RequestExchange, UpgradeExchange } from '../http/exchange.ts';

/** Which paths a mount answers: exact paths and path prefixes (segment boundaries). */
export interface MountPaths {
  readonly exact?: readonly string[];
  readonly prefixes?: readonly string[];
}

/**
 * An application answered before routing: the admin API and the tunnel connect endpoint on the
 * admin hosts, and documents served on every host (ACME challenges, well-known files). Each
 * declares its own hosts and paths.
 */
export interface Mount {
  /** What the access log says answered. */
  readonly kind: AnswerKind;
  /** `admin`: the admin hosts; `any`: every host; or the host names listed. */
  readonly hosts: 'admin' | 'any' | readonly string[];
  readonly paths: MountPaths;
  /** Ordinary requests; without it, requests to these paths are routed as usual. */
  readonly request?: (exchange: RequestExchange) => void | Promise<void>;
  /** Upgrade requests; without it, upgrades to these paths are routed as usual. */
  readonly upgrade?: (exchange: UpgradeExchange) => void | Promise<void>;
  /**
   * True when this request is not the mount's after all (an ACME token it never issued): it is
   * then routed as if the mount were not there.
   */
  readonly declines?: (host: string, path: string) => Promise<boolean>;
}

/** True when `path` is one of the mount's paths. */
export function mountHasPath(paths: MountPaths, path: string): boolean {
  if (paths.exact?.includes(path)) return true;
  return paths.prefixes?.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`)) ?? false;
}

/** The first mount that answers this kind of exchange for the host and path. */
export function findMount(
  mounts: readonly Mount[],
  type: 'request' | 'upgrade',
  host: string,
  isAdminHost: boolean,
  path: string,
): Mount | undefined {
  for (const mount of mounts) {
    if (!mount[type]) continue;
    const hostMatches =
      mount.hosts === 'any' || (mount.hosts === 'admin' ? isAdminHost : mount.hosts.includes(host));
    if (hostMatches && mountHasPath(mount.paths, path)) return mount;
  }
  return undefined;
}
