import { GatehouseError } from '../../core/errors.ts';

/** What Gatehouse learns of an upstream MCP server's authorization: enough to log a person in. */
export interface UpstreamAuthorization {
  /** The upstream's resource identifier (RFC 9728 `resource`), sent as `resource` (RFC 8707). */
  readonly resource: string;
  readonly issuer: string;
  readonly authorizationEndpoint: string;
  readonly tokenEndpoint: string;
  readonly registrationEndpoint: string | undefined;
  readonly cimd: boolean;
  readonly issParameter: boolean;
  readonly scopes: readonly string[];
}

/** Gives up on an upstream's documents after this long. */
const TIMEOUT_MS = 10_000;

/** A JSON document, or undefined when it is not there; redirects are not followed. */
export async function fetchJson(
  url: string,
  init: RequestInit = {},
): Promise<Record<string, unknown> | undefined> {
  const res = await fetch(url, {
    ...init,
    redirect: 'manual',
    signal: AbortSignal.timeout(TIMEOUT_MS),
    headers: { accept: 'application/json', ...(init.headers as Record<string, string>) },
  });
  if (!res.ok) {
    await res.body?.cancel();
    return undefined;
  }
  const text = await res.text();
  if (text.length > 256 * 1024) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/** The well-known URLs of a document for `base` (RFC 8414 section 3, RFC 9728 section 3.1), path form first. */
function wellKnown(base: string, names: readonly string[]): string[] {
  const url = new URL(base);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  const urls = names.map((name) => `${url.origin}/.well-known/${name}${path}`);
  if (path) urls.push(...names.map((name) => `${url.origin}/.well-known/${name}`));
  if (path && names.includes('openid-configuration'))
    urls.push(`${url.origin}${path}/.well-known/openid-configuration`);
  return urls;
}

async function firstDocument(urls: readonly string[]): Promise<Record<string, unknown> | undefined> {
  for (const url of urls) {
    const doc = await fetchJson(url).catch(() => undefined);
    if (doc) return doc;
  }
  return undefined;
}

const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Finds how to log in to an upstream MCP server: its protected resource metadata (RFC 9728), then
 * its authorization server's metadata (RFC 8414, or OpenID discovery).
 */
export async function discoverUpstream(target: string): Promise<UpstreamAuthorization> {
  const resourceDoc = await firstDocument(wellKnown(target, ['oauth-protected-resource']));
  const servers = resourceDoc?.['authorization_servers'];
  const issuer = Array.isArray(servers) ? str(servers[0]) : undefined;
  if (!resourceDoc || !issuer)
    throw new GatehouseError(
      'UPSTREAM_UNREACHABLE',
      `the MCP server at ${target} publishes no protected resource metadata naming an authorization server (RFC 9728): give the route a credential instead`,
    );
  const server = await firstDocument(
    wellKnown(issuer, ['oauth-authorization-server', 'openid-configuration']),
  );
  const authorizationEndpoint = str(server?.['authorization_endpoint']);
  const tokenEndpoint = str(server?.['token_endpoint']);
  if (!server || !authorizationEndpoint || !tokenEndpoint)
    throw new GatehouseError(
      'UPSTREAM_UNREACHABLE',
      `the authorization server ${issuer} of ${target} publishes no metadata with its endpoints (RFC 8414)`,
    );
  const advertised = resourceDoc['scopes_supported'];
  return {
    resource: str(resourceDoc['resource']) ?? target,
    issuer: str(server['issuer']) ?? issuer,
    authorizationEndpoint,
    tokenEndpoint,
    registrationEndpoint: str(server['registration_endpoint']),
    cimd: server['client_id_metadata_document_supported'] === true,
    issParameter: server['authorization_response_iss_parameter_supported'] === true,
    scopes: Array.isArray(advertised) ? advertised.filter((s): s is string => typeof s === 'string') : [],
  };
}
