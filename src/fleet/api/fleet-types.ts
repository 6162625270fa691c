/** Shapes of Tesla's Fleet API answers (the `response` part), as far as the kit reads them. */

/** `POST /api/1/partner_accounts`. */
export interface PartnerAccount {
  readonly account_id?: string;
  readonly domain: string;
  readonly client_id?: string;
  /** The registered key as 130 hex characters (uncompressed point). */
  readonly public_key: string;
  readonly public_key_hash?: string;
  readonly created_at?: string;
  readonly updated_at?: string;
  readonly [more: string]: unknown;
}

/** `POST /api/1/vehicles/fleet_status`. */
export interface FleetStatus {
  readonly key_paired_vins: string[];
  readonly unpaired_vins: string[];
  readonly vehicle_info?: Record<
    string,
    {
      readonly firmware_version?: string;
      readonly vehicle_command_protocol_required?: boolean;
      readonly fleet_telemetry_version?: string;
      readonly total_number_of_keys?: number;
      readonly [more: string]: unknown;
    }
  >;
}

/** One vehicle of `GET /api/1/vehicles`. */
export interface VehicleSummary {
  readonly id: number | string;
  readonly id_s?: string;
  readonly vehicle_id?: number;
  readonly vin: string;
  readonly display_name?: string | null;
  readonly state: 'online' | 'asleep' | 'offline' | string;
  readonly [more: string]: unknown;
}

/** `GET /api/1/vehicles/{id}/vehicle_data`: the vehicle plus its state blocks. */
export interface VehicleData extends VehicleSummary {
  readonly charge_state?: Record<string, unknown>;
  readonly climate_state?: Record<string, unknown>;
  readonly drive_state?: Record<string, unknown>;
  readonly vehicle_state?: Record<string, unknown>;
  readonly vehicle_config?: Record<string, unknown>;
  readonly gui_settings?: Record<string, unknown>;
}

/** `POST /api/1/vehicles/fleet_telemetry_config_jws`. */
export interface TelemetryConfigUpdate {
  readonly updated_vehicles: number;
  readonly skipped_vehicles?: {
    readonly missing_key?: string[];
    readonly unsupported_hardware?: string[];
    readonly unsupported_firmware?: string[];
    readonly max_configs?: string[];
  };
}

/** `GET /api/1/vehicles/{vin}/fleet_telemetry_config`. */
export interface TelemetryConfigAnswer {
  readonly synced: boolean;
  readonly config: Record<string, unknown> | null;
  readonly limit_reached?: boolean;
  readonly key_paired?: boolean;
}

/** One entry of a `fleet_telemetry_errors` list. */
export interface TelemetryError {
  readonly name?: string;
  readonly error: string;
  readonly vin?: string;
  readonly created_at?: string;
  readonly error_name?: string;
  readonly txID?: string;
}

/** `GET …/fleet_telemetry_errors`. */
export interface TelemetryErrors {
  readonly fleet_telemetry_errors: TelemetryError[];
}
