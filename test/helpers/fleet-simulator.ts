import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after } from 'node:test';
import { request } from 'undici';
import { type ManualClock, manualClock } from '../../src/core/clock.ts';
import { type FleetKey, fleetKeyFromPem } from '../../src/fleet/keys.ts';
import { DEFAULT_SEED_INPUT, type Region, type SeedInput, validateSeed } from '../../src/simulator/seed.ts';
import { type Simulator, type SimulatorOptions, startSimulator } from '../../src/simulator/simulator.ts';
import { selfSigned } from './certs.ts';

/** The default seed's app. */
export const CLIENT = { id: 'gatehouse-sim-client', secret: 'gatehouse-sim-secret' } as const;
/** The default seed's NA driver and vehicles. */
export const DRIVER = { email: 'driver@example.com', password: 'tesla' } as const;
export const ONLINE_VIN = '5YJ3E7EB2NF000001';
export const ASLEEP_VIN = '7SAYGDEE1PF000002';
/** The default seed's EU driver. */
export const EU_DRIVER = { email: 'fahrer@example.eu', password: 'tesla' } as const;
export const EU_VIN = 'LRW3E7EK4PC000003';
/** A redirect URI the default app allows. */
export const REDIRECT_URI = 'http://localhost:3000/callback';

/** A simulator on a free loopback port with a manual clock, stopped when the test file ends. */
export async function startTestSimulator(
  options: { seed?: SeedInput } & Omit<SimulatorOptions, 'seed' | 'clock'> = {},
): Promise<Simulator & { clock: ManualClock }> {
  const clock = manualClock(Date.UTC(2026, 5, 1, 12));
  const sim = await startSimulator({
    ...options,
    seed: validateSeed(options.seed ?? DEFAULT_SEED_INPUT),
    clock,
  });
  after(() => sim.stop());
  return Object.assign(sim, { clock });
}

/** The default seed with more allowed origins on its app and other changes to its top level. */
export function seedWith(origins: string[], extra: Partial<SeedInput> = {}): SeedInput {
  const [app, ...apps] = DEFAULT_SEED_INPUT.apps;
  return {
    ...DEFAULT_SEED_INPUT,
    apps: [{ ...app!, allowed_origins: ['localhost', ...origins] }, ...apps],
    ...extra,
  };
}

/** A seed of the default app alone, allowed `domain`, and the driver's account holding `vehicles`. */
export function driverSeed(
  domain: string,
  vehicles: NonNullable<SeedInput['accounts']>[number]['vehicles'],
): SeedInput {
  return {
    apps: [
      {
        client_id: CLIENT.id,
        client_secret: CLIENT.secret,
        redirect_uris: ['http://localhost:*'],
        allowed_origins: [domain],
      },
    ],
    accounts: [{ ...DRIVER, region: 'na', authorized_apps: [CLIENT.id], vehicles }],
  };
}

/** An answer with its JSON body (or text, when it is not JSON) and headers. */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

async function answer(res: Awaited<ReturnType<typeof request>>): Promise<Answer> {
  const text = await res.body.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {}
  return { status: res.statusCode, headers: res.headers, body, text };
}

/** POSTs an HTML-style form. */
export async function postForm(
  url: string,
  fields: Record<string, string>,
  cookie?: string,
): Promise<Answer> {
  return answer(
    await request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(cookie ? { cookie } : {}),
      },
      body: new URLSearchParams(fields).toString(),
    }),
  );
}

/** A partner token for `region`. */
export async function partnerToken(
  sim: Simulator,
  region: Region = 'na',
  scope = 'openid vehicle_device_data vehicle_cmds',
): Promise<string> {
  const res = await postForm(`${sim.authBaseUrl}/token`, {
    grant_type: 'client_credentials',
    client_id: CLIENT.id,
    client_secret: CLIENT.secret,
    scope,
    audience: sim.regionBaseUrl(region),
  });
  if (res.status !== 200) throw new Error(`partner token refused: ${res.text}`);
  return String(res.body['access_token']);
}

/** A field's value in a page's form. */
export function formValue(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!match) throw new Error(`no ${name} field in:\n${html}`);
  return match[1]!;
}

/** The cookie pair of a Set-Cookie header. */
export function sessionCookie(headers: Answer['headers']): string {
  const set = headers['set-cookie'];
  const first = Array.isArray(set) ? set[0] : set;
  if (!first) throw new Error('no Set-Cookie');
  return first.split(';')[0]!;
}

/** A PKCE verifier and its S256 challenge. */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * Signs in through the authorize pages as a browser would (GET the page, post the login form,
 * post the consent form) and returns where the browser is sent back to.
 */
export async function authorizeInBrowser(
  sim: Simulator,
  input: {
    email?: string;
    password?: string;
    scope?: string;
    challenge?: string;
    decision?: 'allow' | 'deny';
    redirectUri?: string;
    state?: string;
  } = {},
): Promise<URL> {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT.id,
    redirect_uri: input.redirectUri ?? REDIRECT_URI,
    scope: input.scope ?? 'openid offline_access user_data vehicle_device_data vehicle_location',
    state: input.state ?? 'state-123',
    ...(input.challenge ? { code_challenge: input.challenge, code_challenge_method: 'S256' } : {}),
  });
  const page = await answer(await request(`${sim.authBaseUrl}/authorize?${query}`));
  if (page.status !== 200) throw new Error(`authorize page: ${page.status} ${page.text}`);
  const login = await postForm(`${sim.url}/oauth2/v3/authorize/login`, {
    request_id: formValue(page.text, 'request_id'),
    form_token: formValue(page.text, 'form_token'),
    email: input.email ?? DRIVER.email,
    password: input.password ?? DRIVER.password,
  });
  if (login.status !== 200) throw new Error(`login: ${login.status} ${login.text}`);
  const consent = await postForm(
    `${sim.url}/oauth2/v3/authorize/consent`,
    {
      request_id: formValue(login.text, 'request_id'),
      form_token: formValue(login.text, 'form_token'),
      decision: input.decision ?? 'allow',
    },
    sessionCookie(login.headers),
  );
  if (consent.status !== 302) throw new Error(`consent: ${consent.status} ${consent.text}`);
  return new URL(String(consent.headers['location']));
}

/** Exchanges a code at the token endpoint. */
export function exchangeCode(
  sim: Simulator,
  code: string,
  extra: Record<string, string> = {},
): Promise<Answer> {
  return postForm(`${sim.authBaseUrl}/token`, {
    grant_type: 'authorization_code',
    client_id: CLIENT.id,
    client_secret: CLIENT.secret,
    code,
    redirect_uri: REDIRECT_URI,
    ...extra,
  });
}

/** A user's access and refresh tokens, through the sign-in pages. */
export async function userTokens(
  sim: Simulator,
  input: { email?: string; password?: string; scope?: string } = {},
): Promise<{ access: string; refresh: string }> {
  const back = await authorizeInBrowser(sim, input);
  const res = await exchangeCode(sim, back.searchParams.get('code')!);
  if (res.status !== 200) throw new Error(`code exchange: ${res.text}`);
  return { access: String(res.body['access_token']), refresh: String(res.body['refresh_token'] ?? '') };
}

/** Calls a region's Fleet API. */
export async function fleet(
  sim: Simulator,
  token: string,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  input: { region?: Region; body?: unknown; contentType?: string | null } = {},
): Promise<Answer> {
  const contentType = input.contentType === undefined ? 'application/json' : input.contentType;
  return answer(
    await request(`${sim.regionBaseUrl(input.region ?? 'na')}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(method === 'POST' && contentType ? { 'content-type': contentType } : {}),
      },
      ...(input.body !== undefined ? { body: JSON.stringify(input.body) } : {}),
    }),
  );
}

/** Calls the control API. */
export async function control(
  sim: Simulator,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<Answer> {
  return answer(
    await request(`${sim.url}${path}`, {
      method,
      ...(body !== undefined
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
        : {}),
    }),
  );
}

/** A fresh application key pair. */
export function newFleetKey(): FleetKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return fleetKeyFromPem(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 'test key');
}

/** An HTTPS server for `domain` answering every request with `handle`'s status, headers and body. */
export async function startKeyHost(
  dir: string,
  domain: string,
  handle: () => { status: number; headers?: Record<string, string>; body: string },
): Promise<{ port: number; caPem: string }> {
  const files = selfSigned(dir, domain.replace(/[^a-z0-9]/gi, '-'), [domain]);
  const server: Server = createServer(
    { cert: readFileSync(files.cert), key: readFileSync(files.key) },
    (_req, res) => {
      const out = handle();
      res.writeHead(out.status, out.headers ?? { 'content-type': 'application/x-pem-file' }).end(out.body);
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  return { port: (server.address() as AddressInfo).port, caPem: readFileSync(files.cert, 'utf8') };
}

/**
 * Hosts `key`'s public half for `domain`, adds it to `resolve` and `trust`, and registers the app's
 * partner account in `region` with it.
 */
export async function registerPartner(
  sim: Simulator,
  reach: { resolve: Map<string, { address: string; port: number }>; trust: string[] },
  dir: string,
  domain: string,
  key: FleetKey,
  region: Region = 'na',
): Promise<Answer> {
  const host = await startKeyHost(dir, domain, () => ({ status: 200, body: key.publicPem }));
  reach.resolve.set(domain, { address: '127.0.0.1', port: host.port });
  reach.trust.push(host.caPem);
  return fleet(sim, await partnerToken(sim, region), 'POST', '/api/1/partner_accounts', {
    region,
    body: { domain },
  });
}
