/** A Tesla region: where its Fleet API answers, where users authorize, where tokens are made. */
export interface TeslaRegion {
  readonly name: TeslaRegionName;
  /** The Fleet API base URL; also the `audience` of tokens for it. */
  readonly fleetApi: string;
  /** The user authorization page. */
  readonly authorizeUrl: string;
  /** The OAuth base, `…/oauth2/v3`; the token endpoint is `<base>/token`. */
  readonly authBase: string;
}

/** Tesla's region names: North America and Asia-Pacific, Europe and the Middle East, China. */
export type TeslaRegionName = 'na' | 'eu' | 'cn';

/** Tesla's regions, as Tesla documents them. */
export const TESLA_REGIONS: Readonly<Record<TeslaRegionName, TeslaRegion>> = {
  na: {
    name: 'na',
    fleetApi: 'https://fleet-api.prd.na.vn.cloud.tesla.com',
    authorizeUrl: 'https://auth.tesla.com/oauth2/v3/authorize',
    authBase: 'https://fleet-auth.prd.vn.cloud.tesla.com/oauth2/v3',
  },
  eu: {
    name: 'eu',
    fleetApi: 'https://fleet-api.prd.eu.vn.cloud.tesla.com',
    authorizeUrl: 'https://auth.tesla.com/oauth2/v3/authorize',
    authBase: 'https://fleet-auth.prd.vn.cloud.tesla.com/oauth2/v3',
  },
  cn: {
    name: 'cn',
    fleetApi: 'https://fleet-api.prd.cn.vn.cloud.tesla.cn',
    authorizeUrl: 'https://auth.tesla.cn/oauth2/v3/authorize',
    authBase: 'https://auth.tesla.cn/oauth2/v3',
  },
};

/** True for a region name. */
export function isRegionName(value: string): value is TeslaRegionName {
  return value === 'na' || value === 'eu' || value === 'cn';
}

/** Every scope Tesla's OAuth server knows. */
export const TESLA_SCOPES = [
  'openid',
  'offline_access',
  'user_data',
  'vehicle_device_data',
  'vehicle_location',
  'vehicle_cmds',
  'vehicle_charging_cmds',
  'energy_device_data',
  'energy_cmds',
] as const;

/** The scopes seed 001's dashboard asks users for. */
export const DEFAULT_USER_SCOPES = [
  'openid',
  'offline_access',
  'user_data',
  'vehicle_device_data',
  'vehicle_location',
  'vehicle_cmds',
] as const;
