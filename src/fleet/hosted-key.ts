import { request } from 'node:https';
import { isIP } from 'node:net';
import { rootCertificates } from 'node:tls';
import { GatehouseError } from '../core/errors.ts';
import { FLEET_PUBLIC_KEY_PATH, type FleetKey, fleetKeyFromPem } from './keys.ts';

/**
 * Where connections really go, as curl's `--resolve`: `host=addr:port` for any port of `host`,
 * `host:port=addr:port` for that port only (keys `host` and `host:port`).
 */
export type ResolveMap = ReadonlyMap<string, { readonly address: string; readonly port: number }>;

/** Parses `host[:port]=addr:port` entries into a {@link ResolveMap}. */
export function parseResolve(entries: readonly string[]): ResolveMap {
  const map = new Map<string, { address: string; port: number }>();
  for (const entry of entries) {
    const match = /^([^=\s:]+)(?::(\d{1,5}))?=(\[[^\]]+\]|[^:\s]+):(\d{1,5})$/.exec(entry.trim());
    if (!match) {
      throw new GatehouseError(
        'FLEET_KEY_INVALID',
        `--resolve ${entry}: write it as host=address:port (any port of host) or host:port=address:port (that port only), e.g. app.example.com:443=127.0.0.1:8443`,
      );
    }
    const [, host = '', onPort, address = '', port = ''] = match;
    const key = onPort ? `${host.toLowerCase()}:${Number(onPort)}` : host.toLowerCase();
    map.set(key, { address: address.replace(/^\[|\]$/g, ''), port: Number(port) });
  }
  return map;
}

/** Where a connection to `host:port` goes under `map`: the port's own entry first, then the host's. */
export function resolveEndpoint(
  map: ResolveMap | undefined,
  host: string,
  port: number,
): { readonly address: string; readonly port: number } | undefined {
  const name = host.toLowerCase();
  return map?.get(`${name}:${port}`) ?? map?.get(name);
}

/** How to reach a domain's HTTPS server: name mapping and extra trusted CAs for local use. */
export interface HttpsReach {
  readonly resolve?: ResolveMap | undefined;
  /** PEM CA certificates trusted besides the system's. */
  readonly trust?: readonly string[] | undefined;
  readonly timeoutMs?: number | undefined;
}

/** What a domain's HTTPS server answered at a path. */
export interface HttpsAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Largest answer read: a public key PEM is a few hundred bytes. */
const MAX_BODY = 64 * 1024;

/** GETs `https://<domain><path>` the way Tesla's servers would (no redirects followed). */
export function httpsGet(domain: string, path: string, reach: HttpsReach = {}): Promise<HttpsAnswer> {
  const target = resolveEndpoint(reach.resolve, domain, 443);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: target?.address ?? domain,
        port: target?.port ?? 443,
        ...(isIP(domain) ? {} : { servername: domain }),
        path,
        method: 'GET',
        headers: { host: domain, accept: '*/*', 'user-agent': 'gatehouse-fleet' },
        ca: reach.trust?.length ? [...rootCertificates, ...reach.trust] : undefined,
        timeout: reach.timeoutMs ?? 10_000,
        agent: false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (body.length > MAX_BODY) res.destroy(new Error(`the answer is larger than ${MAX_BODY} bytes`));
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer in time')));
    req.on('error', reject);
    req.end();
  });
}

/** One thing Tesla would object to in a hosted key, with a stable code. */
export interface HostedKeyProblem {
  readonly code:
    | 'unreachable'
    | 'tls'
    | 'redirect'
    | 'status'
    | 'not-pem'
    | 'private-key'
    | 'wrong-curve'
    | 'not-a-key'
    | 'different-key';
  readonly message: string;
}

/** The outcome of checking a domain's hosted key. */
export interface HostedKeyCheck {
  readonly url: string;
  readonly problems: readonly HostedKeyProblem[];
  /** The hosted public key, when one could be read. */
  readonly key?: FleetKey | undefined;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO|ERR_TLS|HOSTNAME|ALTNAME|SSL|EPROTO/;

/** What Tesla would say about `answer` as the hosted key at `url`; pure. */
export function diagnoseHostedKey(url: string, answer: HttpsAnswer, expected?: FleetKey): HostedKeyProblem[] {
  if (answer.status >= 300 && answer.status < 400) {
    return [
      {
        code: 'redirect',
        message: `${url} answers ${answer.status} redirecting to ${answer.headers['location'] ?? '(no Location)'}; Tesla does not follow redirects, so serve the key at exactly this URL`,
      },
    ];
  }
  if (answer.status !== 200) {
    return [
      { code: 'status', message: `${url} answers ${answer.status}, not 200; the key must be served there` },
    ];
  }
  const body = answer.body.trim();
  if (/-----BEGIN (EC |ENCRYPTED |RSA )?PRIVATE KEY-----/.test(body)) {
    return [
      {
        code: 'private-key',
        message: `${url} serves a PRIVATE key: anyone can now sign as your application. Serve public-key.pem instead, then make a new pair ('gatehouse fleet keys generate') since this one is exposed`,
      },
    ];
  }
  if (!body.startsWith('-----BEGIN PUBLIC KEY-----')) {
    return [
      {
        code: 'not-pem',
        message: `${url} does not serve a PEM public key (expected -----BEGIN PUBLIC KEY-----, got ${JSON.stringify(body.slice(0, 40))})`,
      },
    ];
  }
  let hosted: FleetKey;
  try {
    hosted = fleetKeyFromPem(body, url, true);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code = /prime256v1/.test(message) ? 'wrong-curve' : 'not-a-key';
    return [{ code, message }];
  }
  if (expected && !Buffer.from(expected.publicPoint).equals(Buffer.from(hosted.publicPoint))) {
    return [
      {
        code: 'different-key',
        message: `${url} serves a different key than the local one (${expected.source}); vehicles paired with one will not accept the other`,
      },
    ];
  }
  return [];
}

/**
 * Fetches and checks `https://<domain>/.well-known/appspecific/com.tesla.3p.public-key.pem`, as
 * Tesla does at registration; `expected` is the local key it must equal.
 */
export async function checkHostedKey(
  domain: string,
  reach: HttpsReach = {},
  expected?: FleetKey,
): Promise<HostedKeyCheck> {
  const url = `https://${domain}${FLEET_PUBLIC_KEY_PATH}`;
  let answer: HttpsAnswer;
  try {
    answer = await httpsGet(domain, FLEET_PUBLIC_KEY_PATH, reach);
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    const detail = `${err.code ? `${err.code}: ` : ''}${err.message}`;
    if (TLS_CODES.test(String(err.code)) || /certificate|ssl|tls/i.test(err.message)) {
      return {
        url,
        problems: [
          {
            code: 'tls',
            message: `${url} is not served over trusted HTTPS (${detail}); Tesla needs a valid certificate for ${domain}`,
          },
        ],
      };
    }
    return {
      url,
      problems: [{ code: 'unreachable', message: `${url} cannot be reached over HTTPS (${detail})` }],
    };
  }
  const problems = diagnoseHostedKey(url, answer, expected);
  return {
    url,
    problems,
    key: problems.length === 0 ? fleetKeyFromPem(answer.body.trim(), url, true) : undefined,
  };
}
