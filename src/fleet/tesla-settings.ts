import { GatehouseError } from '../core/errors.ts';
import { DEFAULT_USER_SCOPES, isRegionName, TESLA_REGIONS, type TeslaRegionName } from './regions.ts';

/** Everything needed to talk to Tesla (or the simulator) as one application. */
export interface TeslaSettings {
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  readonly region: TeslaRegionName;
  /** `<auth base>/token`. */
  readonly tokenUrl: string;
  readonly authorizeUrl: string;
  /** The Fleet API base URL, also the tokens' audience. */
  readonly fleetApi: string;
  readonly redirectUri: string | undefined;
  readonly scopes: readonly string[];
  /** Set when the settings point at `gatehouse fleet simulate`. */
  readonly simulator: string | undefined;
}

/** Flags that override the environment; each is optional. */
export interface TeslaSettingFlags {
  readonly region?: string | undefined;
  readonly simulator?: string | undefined;
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * Reads the settings from flags and the environment: `TESLA_CLIENT_ID`, `TESLA_CLIENT_SECRET`,
 * `TESLA_REGION` (or `--region`), `TESLA_AUTH_URL`, `TESLA_AUTHORIZE_URL`, `TESLA_AUDIENCE`,
 * `TESLA_REDIRECT_URI`, `TESLA_OAUTH_SCOPES`, and `TESLA_SIMULATOR` (or `--simulator`): the base
 * URL of `gatehouse fleet simulate`, which stands for all the URLs at once.
 */
export function teslaSettings(flags: TeslaSettingFlags, env: NodeJS.ProcessEnv): TeslaSettings {
  const regionText = (flags.region ?? env['TESLA_REGION'] ?? 'na').toLowerCase();
  if (!isRegionName(regionText)) {
    throw new GatehouseError('FLEET_SETTINGS_INVALID', `region '${regionText}' is not one of na, eu, cn`, {
      field: 'region',
    });
  }
  const region = TESLA_REGIONS[regionText];
  const simulator = (flags.simulator ?? env['TESLA_SIMULATOR'])?.trim() || undefined;
  if (simulator && !/^https?:\/\//.test(simulator)) {
    throw new GatehouseError(
      'FLEET_SETTINGS_INVALID',
      `TESLA_SIMULATOR '${simulator}' is not a URL; give the address 'gatehouse fleet simulate' printed, e.g. http://127.0.0.1:4400`,
      { field: 'simulator' },
    );
  }
  const authBase = trimSlash(
    env['TESLA_AUTH_URL'] || (simulator ? `${trimSlash(simulator)}/oauth2/v3` : region.authBase),
  );
  const ownAuth = authBase !== region.authBase;
  const scopes = (env['TESLA_OAUTH_SCOPES'] ?? '').split(/[\s,]+/).filter(Boolean);
  return {
    clientId: env['TESLA_CLIENT_ID'] || undefined,
    clientSecret: env['TESLA_CLIENT_SECRET'] || undefined,
    region: region.name,
    tokenUrl: `${authBase}/token`,
    authorizeUrl: env['TESLA_AUTHORIZE_URL'] || (ownAuth ? `${authBase}/authorize` : region.authorizeUrl),
    fleetApi: trimSlash(
      env['TESLA_AUDIENCE'] || (simulator ? `${trimSlash(simulator)}/${region.name}` : region.fleetApi),
    ),
    redirectUri: env['TESLA_REDIRECT_URI'] || undefined,
    scopes: scopes.length > 0 ? scopes : DEFAULT_USER_SCOPES,
    simulator: simulator ? trimSlash(simulator) : undefined,
  };
}

/** The client id and secret, or an error saying which variable to set. */
export function requireClientCredentials(settings: TeslaSettings): {
  clientId: string;
  clientSecret: string;
} {
  const missing = [
    !settings.clientId && 'TESLA_CLIENT_ID',
    !settings.clientSecret && 'TESLA_CLIENT_SECRET',
  ].filter(Boolean);
  if (missing.length > 0 || !settings.clientId || !settings.clientSecret) {
    throw new GatehouseError(
      'FLEET_SETTINGS_INVALID',
      `set ${missing.join(' and ')}: the application's credentials from developer.tesla.com (the simulator prints its own)`,
    );
  }
  return { clientId: settings.clientId, clientSecret: settings.clientSecret };
}
