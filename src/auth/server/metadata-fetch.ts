import { fetch as undiciFetch } from 'undici';
import { pinnedAgent } from '../../http/pinned-agent.ts';
import {
  isPublicAddress,
  type Resolve,
  resolveCheckedAddress,
  systemResolve,
} from '../../http/public-address.ts';

/** How Client ID Metadata Documents (and other client documents) are fetched. */
export interface MetadataFetchOptions {
  /** Gives up after this long, the name's resolution included; 2.5 s by default. */
  readonly timeoutMs?: number;
  /** Largest document accepted; 5 KiB by default (the draft suggests that bound). */
  readonly maxBytes?: number;
  /**
   * Development and tests only: allow loopback and private addresses (refused otherwise, against
   * SSRF) and trust this CA bundle (PEM) for the https the documents must be served over.
   */
  readonly allowPrivateNetwork?: { readonly ca?: string | undefined } | undefined;
  /** How host names resolve; the system resolver unless given (tests). */
  readonly resolve?: Resolve | undefined;
}

/** The most of any client document (a JWKS, a sector identifier list) read into memory. */
export const LARGEST_DOCUMENT_BYTES = 64 * 1024;

type FetchInit = RequestInit & { dispatcher?: unknown };

/**
 * The `fetch` oidc-provider uses for client documents. The host is resolved first and every
 * address it names must be public, so an inward URL is refused before any connection: no port
 * scan by timing. The connection then goes to the address that was checked (a pinned agent), so a
 * second DNS answer cannot turn it inward. Bounded in time and size.
 */
export function metadataFetch(
  options: MetadataFetchOptions,
): (url: URL | string, init: FetchInit) => Promise<Response> {
  const timeout = options.timeoutMs ?? 2500;
  const relaxed = options.allowPrivateNetwork;
  const resolve = options.resolve ?? systemResolve;
  const largest = Math.max(LARGEST_DOCUMENT_BYTES, options.maxBytes ?? 0);
  return async (url, init) => {
    const signal = init.signal
      ? AbortSignal.any([init.signal, AbortSignal.timeout(timeout)])
      : AbortSignal.timeout(timeout);
    const target = new URL(url);
    const host = target.hostname;
    const checked = await untilAborted(
      resolveCheckedAddress(host, resolve, relaxed ? () => true : isPublicAddress),
      signal,
    );
    if (!checked.ok)
      throw new Error(
        checked.why === 'unresolved'
          ? `the client document's host ${host} does not resolve`
          : `the client document's host ${host} resolves to ${checked.address}, a private, loopback or other special-use address: documents are fetched from public addresses only, and no connection was made`,
      );
    // oidc-provider's own dispatcher checks the address only once connected; this one checked before.
    const { dispatcher: _checksTooLate, ...rest } = init;
    const dispatcher = pinnedAgent({
      servername: host,
      address: checked.address,
      fallbacks: checked.all.slice(1).map((a) => a.address),
      ca: relaxed?.ca,
    });
    try {
      // A redirect would lead to another host, which the pinned agent cannot reach: passed on as it is.
      const res = await undiciFetch(target, { ...(rest as object), redirect: 'manual', signal, dispatcher });
      // Read here, within a bound, and handed on as the platform's own Response; oidc-provider then
      // holds each kind of document to its own limit.
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of res.body ?? []) {
        size += chunk.length;
        if (size > largest) {
          await res.body?.cancel().catch(() => {});
          throw new Error('response too large');
        }
        chunks.push(chunk);
      }
      // With its length said, oidc-provider refuses an oversized document by that, before reading.
      const body = Buffer.concat(chunks);
      const headers = new Headers([...res.headers]);
      // undici has already undone any content coding and the chunking.
      headers.delete('content-encoding');
      headers.delete('transfer-encoding');
      headers.set('content-length', String(body.length));
      return new Response(body, { status: res.status, headers });
    } finally {
      dispatcher.destroy().catch(() => {});
    }
  };
}

/** `promise`, or a rejection once `signal` aborts (a DNS lookup cannot itself be cancelled). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(signal.reason);
    signal.addEventListener('abort', abort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
  });
}
