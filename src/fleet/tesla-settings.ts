import { GatehouseError } from '../core/errors.ts';
import { DEFAULT_USER_SCOPES, TESLA_REGIONS, type TeslaRegionName } from './regions.ts';

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

/**
 * The application as configured (`tesla:` in the config file, or `TESLA_CLIENT_ID`, `TESLA_REGION`,
 * `TESLA_SIMULATOR`…), validated when the configuration is loaded (`src/config/tesla-schema.ts`).
 */
export interface TeslaApplication {
  readonly clientId?: string | undefined;
  readonly clientSecret?: string | undefined;
  readonly region: TeslaRegionName;
  /** The base URL of `gatehouse fleet simulate`, which stands for all the URLs at once. */
  readonly simulator?: string | undefined;
  readonly authUrl?: string | undefined;
  readonly authorizeUrl?: string | undefined;
  readonly audience?: string | undefined;
  readonly redirectUri?: string | undefined;
  /** Empty for the dashboard's set. */
  readonly scopes: readonly string[];
}

const trimSlash = (url: string) => url.replace(/\/+$/, '');

/**
 * The URLs and scopes of `application` in `region` (its own region unless a route names another):
 * the region's, the simulator's when one is set, and any URL given overriding either.
 */
export function teslaSettings(application: TeslaApplication, region = application.region): TeslaSettings {
  const regional = TESLA_REGIONS[region];
  const simulator = application.simulator ? trimSlash(application.simulator) : undefined;
  const authBase = trimSlash(
    application.authUrl || (simulator ? `${simulator}/oauth2/v3` : regional.authBase),
  );
  const ownAuth = authBase !== regional.authBase;
  return {
    clientId: application.clientId || undefined,
    clientSecret: application.clientSecret || undefined,
    region: regional.name,
    tokenUrl: `${authBase}/token`,
    authorizeUrl: application.authorizeUrl || (ownAuth ? `${authBase}/authorize` : regional.authorizeUrl),
    fleetApi: trimSlash(
      application.audience || (simulator ? `${simulator}/${regional.name}` : regional.fleetApi),
    ),
    redirectUri: application.redirectUri || undefined,
    scopes: application.scopes.length > 0 ? application.scopes : DEFAULT_USER_SCOPES,
    simulator,
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
