import { Agent, fetch as undiciFetch } from 'undici';

/** How Client ID Metadata Documents (and other client documents) are fetched. */
export interface MetadataFetchOptions {
  /** Gives up after this long; 2.5 s by default. */
  readonly timeoutMs?: number;
  /** Largest document accepted; 5 KiB by default (the draft suggests that bound). */
  readonly maxBytes?: number;
  /**
   * Development and tests only: allow loopback and private addresses (refused otherwise, against
   * SSRF) and trust this CA bundle (PEM) for the https the documents must be served over.
   */
  readonly allowPrivateNetwork?: { readonly ca?: string | undefined } | undefined;
}

type FetchInit = RequestInit & { dispatcher?: unknown };

/** The `fetch` oidc-provider uses, bounded in time; loopback reachable only when the option says so. */
export function metadataFetch(
  options: MetadataFetchOptions,
): (url: URL | string, init: FetchInit) => Promise<Response> {
  const timeout = options.timeoutMs ?? 2500;
  const relaxed = options.allowPrivateNetwork;
  const agent = relaxed ? new Agent({ connect: relaxed.ca ? { ca: relaxed.ca } : {} }) : undefined;
  return async (url, init) => {
    const signal = init.signal
      ? AbortSignal.any([init.signal, AbortSignal.timeout(timeout)])
      : AbortSignal.timeout(timeout);
    if (!agent) return globalThis.fetch(url, { ...init, signal } as RequestInit);
    // oidc-provider's own dispatcher refuses special-use addresses; this one is for local testing.
    const { dispatcher: _refusesLoopback, ...rest } = init;
    return (await undiciFetch(url, {
      ...(rest as object),
      signal,
      dispatcher: agent,
    })) as unknown as Response;
  };
}
