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
  const maxBytes = options.maxBytes ?? 5 * 1024;
  const agent = relaxed ? new Agent({ connect: relaxed.ca ? { ca: relaxed.ca } : {} }) : undefined;
  return async (url, init) => {
    const signal = init.signal
      ? AbortSignal.any([init.signal, AbortSignal.timeout(timeout)])
      : AbortSignal.timeout(timeout);
    if (!agent) return globalThis.fetch(url, { ...init, signal } as RequestInit);
    // oidc-provider's own dispatcher refuses special-use addresses; this one is for local testing.
    const { dispatcher: _refusesLoopback, ...rest } = init;
    const res = await undiciFetch(url, { ...(rest as object), signal, dispatcher: agent });
    // Read here, within the same size bound, and handed on as the platform's own Response.
    const chunks: Uint8Array[] = [];
    let size = 0;
    for await (const chunk of res.body ?? []) {
      size += chunk.length;
      if (size > maxBytes) {
        await res.body?.cancel().catch(() => {});
        throw new Error('response too large');
      }
      chunks.push(chunk);
    }
    return new Response(Buffer.concat(chunks), { status: res.status, headers: [...res.headers] });
  };
}
