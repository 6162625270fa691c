import { TELEMETRY_AUDIENCE } from '../fleet/ss256.ts';
import { Ss256Error, type Ss256Failure, verifySs256Jws } from '../fleet/ss256-verify.ts';
import { SimulatorApiError } from './api-error.ts';
import type { Region } from './seed.ts';
import { compareFirmware, SIGNED_TELEMETRY_FIRMWARE } from './vehicle-json.ts';
import { MAX_TELEMETRY_CONFIGS, type SimVehicle, type World } from './world.ts';

/**
 * Tesla's handling of a signed telemetry configuration. Like Tesla, the API checks only that the
 * token is a Tesla.SS256 JWS; whether the vehicle can use it is the vehicle's business. A token
 * signed by a key other than the one registered for the app's domain, with a bad signature or
 * with the wrong audience, is therefore accepted (and shows `synced: true` once the vehicle is
 * online), but the vehicle refuses to load it: it streams nothing and reports the reason in both
 * `fleet_telemetry_errors` lists. Only a token that is not a JWS at all, or not Tesla.SS256, is
 * refused with 400.
 */

/** Tesla's `skipped_vehicles` lists. */
export interface SkippedVehicles {
  missing_key: string[];
  unsupported_hardware: string[];
  unsupported_firmware: string[];
  max_configs: string[];
}

/** What the config endpoint answers. */
export interface SignedConfigResult {
  updated_vehicles: number;
  skipped_vehicles: SkippedVehicles;
}

/** What a vehicle says when it cannot load a configuration, by the verifier's reason. */
const LOAD_ERRORS: Readonly<Record<Exclude<Ss256Failure, 'malformed' | 'algorithm'>, string>> = {
  issuer: 'error loading config file: InvalidSignature: only NIST-P256 keys are supported',
  'unknown-issuer': 'error loading config file: InvalidSignature: unknown issuer',
  signature: 'error loading config file: crypto/ecdsa: verification error',
  audience: `error loading config file: InvalidAudience: expected ${TELEMETRY_AUDIENCE}`,
};

function claimsOf(token: string): Record<string, unknown> {
  const part = token.trim().split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}

/** The claims and, when the vehicle would refuse them, why; Tesla's 400 for a malformed token. */
export function readSignedConfig(
  token: unknown,
  registeredKey: Uint8Array | undefined,
): { claims: Record<string, unknown>; loadError: string | undefined } {
  if (typeof token !== 'string' || !token) {
    throw new SimulatorApiError('SIM_BAD_REQUEST', 'invalid_request', {
      description: 'token is required: the telemetry configuration as a Tesla.SS256 JWS',
    });
  }
  let loadError: string | undefined;
  try {
    verifySs256Jws(token, { issuer: registeredKey, audience: TELEMETRY_AUDIENCE });
  } catch (error) {
    if (!(error instanceof Ss256Error)) throw error;
    if (error.failure === 'malformed' || error.failure === 'algorithm') {
      throw new SimulatorApiError('SIM_BAD_REQUEST', 'invalid_request', { description: error.message });
    }
    loadError = LOAD_ERRORS[error.failure];
  }
  const claims = claimsOf(token);
  if (typeof claims['hostname'] !== 'string' || !claims['hostname']) {
    throw new SimulatorApiError('SIM_BAD_REQUEST', 'invalid_field', {
      description: 'the configuration has no hostname: the server vehicles stream to',
    });
  }
  if (!claims['fields'] || typeof claims['fields'] !== 'object') {
    throw new SimulatorApiError('SIM_BAD_REQUEST', 'invalid_field', {
      description: 'the configuration has no fields: the signals to stream, with their intervals',
    });
  }
  return { claims, loadError };
}

/** Puts a read configuration on each vehicle that can take it; pure apart from the world. */
export function applySignedConfig(input: {
  world: World;
  region: Region;
  clientId: string;
  vehicles: readonly SimVehicle[];
  claims: Record<string, unknown>;
  loadError: string | undefined;
  txid: string;
}): SignedConfigResult {
  const { world, region, clientId } = input;
  const skipped: SkippedVehicles = {
    missing_key: [],
    unsupported_hardware: [],
    unsupported_firmware: [],
    max_configs: [],
  };
  let updated = 0;
  for (const vehicle of input.vehicles) {
    const hasOne = world.telemetryConfig(vehicle.vin, clientId) !== undefined;
    if (vehicle.unsupportedHardware) skipped.unsupported_hardware.push(vehicle.vin);
    else if (compareFirmware(vehicle.firmware, SIGNED_TELEMETRY_FIRMWARE) < 0)
      skipped.unsupported_firmware.push(vehicle.vin);
    else if (!world.keyPaired(vehicle, region, clientId)) skipped.missing_key.push(vehicle.vin);
    else if (!hasOne && world.telemetryConfigCount(vehicle) >= MAX_TELEMETRY_CONFIGS)
      skipped.max_configs.push(vehicle.vin);
    else {
      world.saveTelemetryConfig({
        vin: vehicle.vin,
        clientId,
        claims: input.claims,
        synced: world.stateOf(vehicle) === 'online',
        loadError: input.loadError,
      });
      clearErrors(world, vehicle.vin, clientId);
      if (input.loadError) {
        world.telemetryErrors.push({
          created_at: new Date(world.clock()).toISOString(),
          error: input.loadError,
          error_name: 'config_manager_error',
          name: clientId,
          txID: input.txid,
          vin: vehicle.vin,
        });
      }
      updated++;
    }
  }
  return { updated_vehicles: updated, skipped_vehicles: skipped };
}

/** Drops the errors an app's earlier configuration caused on a vehicle. */
export function clearErrors(world: World, vin: string, clientId: string): void {
  for (let i = world.telemetryErrors.length - 1; i >= 0; i--) {
    const e = world.telemetryErrors[i];
    if (e && e.vin === vin && e.name === clientId) world.telemetryErrors.splice(i, 1);
  }
}
