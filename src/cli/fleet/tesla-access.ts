import { loadTeslaConfig } from '../../config/load-config.ts';
import { systemClock } from '../../core/clock.ts';
import { FleetApi } from '../../fleet/api/fleet-api.ts';
import { TeslaOAuth } from '../../fleet/api/tesla-oauth.ts';
import {
  PARTNER_TOKEN_SCOPES,
  type PartnerToken,
  type PartnerTokenRequest,
  PartnerTokens,
} from '../../fleet/partner-token.ts';
import { requireClientCredentials, type TeslaSettings, teslaSettings } from '../../fleet/tesla-settings.ts';
import { defaultCacheDir, fileTokenStorage } from '../../fleet/token-file-cache.ts';
import { outboundFetch } from '../../http/outbound.ts';
import type { OptionRow } from '../define-command.ts';
import { warn } from './fleet-cli.ts';

/** Settings from `--region`, `--simulator` and the environment, checked as `serve` checks them. */
export function settingsOf(values: {
  region?: string | undefined;
  simulator?: string | undefined;
}): TeslaSettings {
  return teslaSettings(loadTeslaConfig(process.env, { region: values.region, simulator: values.simulator }));
}

/** The partner-token request for these settings; scopes from `TESLA_PARTNER_SCOPES` when set. */
export function partnerRequest(settings: TeslaSettings): PartnerTokenRequest {
  const { clientId, clientSecret } = requireClientCredentials(settings);
  const scopes = (process.env['TESLA_PARTNER_SCOPES'] ?? '').split(/[\s,]+/).filter(Boolean);
  return {
    tokenUrl: settings.tokenUrl,
    clientId,
    clientSecret,
    audience: settings.fleetApi,
    scopes: scopes.length ? scopes : PARTNER_TOKEN_SCOPES,
  };
}

let tokens: PartnerTokens | undefined;

/** A partner token, from this process's memory, the file cache, or Tesla. */
export function partnerToken(settings: TeslaSettings, useCache: boolean): Promise<PartnerToken> {
  tokens ??= new PartnerTokens({
    clock: systemClock,
    grant: (request) => new TeslaOAuth(request.tokenUrl, outboundFetch).clientCredentials(request),
    storage: fileTokenStorage(defaultCacheDir(process.env), (error) =>
      warn(
        'partner',
        `the token cache could not be written (${error.message}); the next run asks Tesla again`,
      ),
    ),
  });
  return tokens.get(partnerRequest(settings), { noCache: !useCache });
}

/**
 * The Fleet API of the settings' region: with a user token (`--token` or `TESLA_ACCESS_TOKEN`)
 * when one is given, else with the partner token.
 */
export function fleetApiOf(
  settings: TeslaSettings,
  values: { cache?: boolean | undefined; token?: string | undefined },
): FleetApi {
  const userToken = values.token ?? process.env['TESLA_ACCESS_TOKEN'];
  let useCache = values.cache !== false;
  let fromCache = false;
  return new FleetApi({
    baseUrl: settings.fleetApi,
    fetch: outboundFetch,
    token: async () => {
      if (userToken) return userToken;
      const token = await partnerToken(settings, useCache);
      fromCache = token.fromCache;
      return token.accessToken;
    },
    // A cached partner token Tesla no longer takes (revoked, or a restarted simulator) is
    // replaced once, without making the user pass --no-cache.
    renewToken: async () => {
      if (userToken || !fromCache) return false;
      useCache = false;
      return true;
    },
  });
}

/** Help rows of the options every command that calls Tesla takes, last in its options table. */
export const TESLA_ACCESS_HELP = [
  { usage: '--region na|eu|cn', does: "Tesla's region (default na)", env: 'TESLA_REGION' },
  { usage: '--simulator URL', does: "Talk to 'gatehouse fleet simulate' instead", env: 'TESLA_SIMULATOR' },
  { usage: '--no-cache', does: 'Get a new partner token even when one is cached', negates: true },
  { usage: '--json', does: 'Print JSON' },
  { usage: '-h, --help', does: 'Show this help' },
] as const satisfies readonly OptionRow[];
