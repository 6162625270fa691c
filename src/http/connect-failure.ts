/** Why connecting to a server failed, as a person reads it, and whether trying again can help. */
export interface ConnectFailure {
  /** True when the same attempt will fail the same way: a name that does not exist, the wrong scheme. */
  readonly permanent: boolean;
  readonly message: string;
}

/** TLS spoken to a server that answered in plain text: OpenSSL's words for the bytes it got. */
const PLAIN_HTTP_ERROR = /wrong version number|packet length too long|unknown protocol/i;
const PLAIN_HTTP_CODES = new Set(['ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_PACKET_LENGTH_TOO_LONG']);

/** The errors of a chain of causes, outermost first (`fetch failed` → `getaddrinfo ENOTFOUND x`). */
function causes(error: unknown): (Error & { code?: unknown; hostname?: unknown })[] {
  const chain: (Error & { code?: unknown; hostname?: unknown })[] = [];
  for (let e: unknown = error; e instanceof Error && chain.length < 10; e = e.cause) chain.push(e);
  return chain;
}

/**
 * What a failed connection to `url` means. A name DNS says does not exist, and TLS spoken to a
 * plain-HTTP port, are permanent, and named with what to do; anything else (refused, reset, timed
 * out, a name the resolver could not look up now) may pass, and is the innermost error's text.
 */
export function connectFailure(error: unknown, url: URL): ConnectFailure {
  const chain = causes(error);
  const notFound = chain.find((e) => e.code === 'ENOTFOUND');
  if (notFound) {
    const name = typeof notFound.hostname === 'string' ? notFound.hostname : url.hostname;
    return {
      permanent: true,
      message: `the name ${name} does not exist (DNS answered ENOTFOUND); check the host name in ${url.origin}`,
    };
  }
  if (url.protocol === 'https:' || url.protocol === 'wss:') {
    const plain = chain.find((e) => PLAIN_HTTP_CODES.has(String(e.code)) || PLAIN_HTTP_ERROR.test(e.message));
    if (plain)
      return {
        permanent: true,
        message: `the server at ${url.host} speaks plain HTTP, not TLS: use http://${url.host}`,
      };
  }
  const innermost = chain.at(-1);
  return { permanent: false, message: innermost?.message.trim() || String(error) };
}
