import type {
  FleetStatus,
  PartnerAccount,
  TelemetryConfigAnswer,
  TelemetryConfigUpdate,
  TelemetryErrors,
  VehicleData,
  VehicleSummary,
} from './fleet-types.ts';
import { callTesla } from './tesla-call.ts';
import { explainTeslaAnswer, readTeslaAnswer, TeslaApiError } from './tesla-error.ts';

/** The `fetch` the clients use; a parameter so tests and proxies can pass their own. */
export type Fetch = typeof fetch;

/** How a {@link FleetApi} reaches Tesla. */
export interface FleetApiOptions {
  /** The region's Fleet API base URL (or the simulator's). */
  readonly baseUrl: string;
  /** The bearer token for each call: a partner or a user token. */
  readonly token: () => Promise<string>;
  readonly fetch?: Fetch | undefined;
  /**
   * Called once when Tesla refuses the token (401): resolves true when a new token is to be had
   * (the refused one came from a cache), and the call is then made again with it.
   */
  readonly renewToken?: (() => Promise<boolean>) | undefined;
}

/** Tesla's Fleet API, one typed method per endpoint the kit uses; answers unwrapped from `response`. */
export class FleetApi {
  readonly #options: FleetApiOptions;
  constructor(options: FleetApiOptions) {
    this.#options = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
  }

  /** Any call: the `response` of a success, else a {@link TeslaApiError} saying what to do. */
  async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    try {
      return await this.#call<T>(method, path, body);
    } catch (error) {
      if (!(error instanceof TeslaApiError && error.code === 'FLEET_TOKEN_EXPIRED')) throw error;
      if (!(await this.#options.renewToken?.())) throw error;
      return this.#call<T>(method, path, body);
    }
  }

  async #call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
    const url = `${this.#options.baseUrl}${path}`;
    const doFetch = this.#options.fetch ?? fetch;
    // Outside the try: a token that cannot be had is its own error, not an unreachable Tesla.
    const token = await this.#options.token();
    const { res, body: parsed } = await callTesla(
      doFetch,
      url,
      {
        method,
        // Tesla wants the JSON content type on every call, reads included (406 otherwise).
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'application/json',
          'content-type': 'application/json',
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      },
      `${method} ${url}`,
    );
    if (!res.ok)
      throw explainTeslaAnswer(readTeslaAnswer(res.status, parsed, res.headers), `${method} ${path}`);
    if (!parsed || typeof parsed !== 'object' || !('response' in parsed)) {
      throw new TeslaApiError(
        'FLEET_UNAVAILABLE',
        `${method} ${url} answered ${res.status} without Tesla's {"response": …} envelope: is this the Fleet API base URL?`,
        readTeslaAnswer(res.status, parsed, res.headers),
      );
    }
    return (parsed as { response: T }).response;
  }

  /** `POST /api/1/partner_accounts`: registers the domain whose key Tesla fetches. */
  registerPartner(domain: string): Promise<PartnerAccount> {
    return this.call('POST', '/api/1/partner_accounts', { domain });
  }
  /** `GET /api/1/partner_accounts/public_key`: the key Tesla holds for a domain (hex point). */
  partnerPublicKey(domain: string): Promise<{ public_key: string }> {
    return this.call('GET', `/api/1/partner_accounts/public_key?domain=${encodeURIComponent(domain)}`);
  }
  /** `GET /api/1/partner_accounts/fleet_telemetry_errors`. */
  partnerTelemetryErrors(): Promise<TelemetryErrors> {
    return this.call('GET', '/api/1/partner_accounts/fleet_telemetry_errors');
  }
  /** `POST /api/1/vehicles/fleet_status`: key pairing and firmware per VIN. */
  fleetStatus(vins: readonly string[]): Promise<FleetStatus> {
    return this.call('POST', '/api/1/vehicles/fleet_status', { vins });
  }
  /** `GET /api/1/vehicles`: the user's vehicles (first page of up to 100). */
  vehicles(): Promise<VehicleSummary[]> {
    return this.call('GET', '/api/1/vehicles?per_page=100');
  }
  /** `GET /api/1/vehicles/{id}`. */
  vehicle(id: string): Promise<VehicleSummary> {
    return this.call('GET', `/api/1/vehicles/${encodeURIComponent(id)}`);
  }
  /** `POST /api/1/vehicles/{id}/wake_up`. */
  wakeUp(id: string): Promise<VehicleSummary> {
    return this.call('POST', `/api/1/vehicles/${encodeURIComponent(id)}/wake_up`, {});
  }
  /** `GET /api/1/vehicles/{id}/vehicle_data` with the given endpoints. */
  vehicleData(id: string, endpoints: readonly string[]): Promise<VehicleData> {
    const query = endpoints.length ? `?endpoints=${encodeURIComponent(endpoints.join(';'))}` : '';
    return this.call('GET', `/api/1/vehicles/${encodeURIComponent(id)}/vehicle_data${query}`);
  }
  /** `POST /api/1/vehicles/fleet_telemetry_config_jws`: a signed configuration for these VINs. */
  sendTelemetryConfig(vins: readonly string[], token: string): Promise<TelemetryConfigUpdate> {
    return this.call('POST', '/api/1/vehicles/fleet_telemetry_config_jws', { vins, token });
  }
  /** `GET /api/1/vehicles/{vin}/fleet_telemetry_config`. */
  telemetryConfig(vin: string): Promise<TelemetryConfigAnswer> {
    return this.call('GET', `/api/1/vehicles/${encodeURIComponent(vin)}/fleet_telemetry_config`);
  }
  /** `DELETE /api/1/vehicles/{vin}/fleet_telemetry_config`. */
  deleteTelemetryConfig(vin: string): Promise<{ updated_vehicles: number }> {
    return this.call('DELETE', `/api/1/vehicles/${encodeURIComponent(vin)}/fleet_telemetry_config`);
  }
  /** `GET /api/1/vehicles/{vin}/fleet_telemetry_errors`. */
  vehicleTelemetryErrors(vin: string): Promise<TelemetryErrors> {
    return this.call('GET', `/api/1/vehicles/${encodeURIComponent(vin)}/fleet_telemetry_errors`);
  }
}
