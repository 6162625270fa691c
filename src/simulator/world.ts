import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Clock } from '../core/clock.ts';
import type { Region, Seed, VehicleState } from './seed.ts';

/** A developer application, as registered on developer.tesla.com. */
export interface SimApp {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly name: string;
  readonly description: string;
  readonly redirectUris: readonly string[];
  /** Host names the app may register as its partner domain. */
  readonly allowedOrigins: readonly string[];
  readonly requirePartnerRegistration: boolean;
}

/** A Tesla account that can log in. */
export interface SimAccount {
  readonly id: string;
  readonly email: string;
  readonly password: string;
  readonly fullName: string;
  readonly region: Region;
  /** Apps the owner has consented to, so their partner tokens may act on the vehicles. */
  readonly authorizedApps: Set<string>;
  readonly vins: readonly string[];
}

/** A vehicle and what it holds. */
export interface SimVehicle {
  readonly id: number;
  readonly vehicleId: number;
  readonly vin: string;
  readonly displayName: string;
  readonly firmware: string;
  readonly ownerId: string;
  readonly unsupportedHardware: boolean;
  readonly otherTelemetryConfigs: number;
  /** Firmware from before August 2025: numbers and booleans as strings unless `prefer_typed`. */
  readonly stringValues: boolean;
  readonly pairedDomains: Set<string>;
  readonly tokens: readonly string[];
  /** The index in the seed, so each vehicle drives its own phase of the loop. */
  readonly index: number;
  state: VehicleState;
  /** When a woken vehicle comes online (clock ms). */
  wakesAt: number | undefined;
}

/** An app's registration in one region: its domain and the key Tesla fetched from it. */
export interface PartnerAccount {
  readonly accountId: string;
  readonly clientId: string;
  readonly region: Region;
  domain: string;
  publicPoint: Uint8Array;
  readonly createdAt: number;
  updatedAt: number;
}

/** A telemetry configuration one app put on one vehicle. */
export interface TelemetryConfigRecord {
  readonly vin: string;
  readonly clientId: string;
  readonly claims: Record<string, unknown>;
  synced: boolean;
  /** Why the vehicle refuses to load it, in Tesla's words; undefined when it streams. */
  readonly loadError: string | undefined;
}

/** One entry of Tesla's `fleet_telemetry_errors` lists. */
export interface TelemetryErrorRecord {
  readonly created_at: string;
  readonly error: string;
  readonly error_name: string;
  readonly name: string;
  readonly txID: string;
  readonly vin: string;
}

/** Largest number of telemetry configurations a vehicle holds, across apps. */
export const MAX_TELEMETRY_CONFIGS = 5;

/** SHA-256 of the public point, hex: what Tesla's `public_key_hash` stands for. */
export function publicKeyHash(point: Uint8Array): string {
  return createHash('sha256').update(point).digest('hex');
}

/** A vehicle id shaped like Tesla's: a large integer, stable for a VIN. */
function numericId(vin: string, salt: string): number {
  const digest = createHash('sha256').update(`${salt}:${vin}`).digest();
  return Number(digest.readBigUInt64BE() % 8_000_000_000_000_000n) + 1_000_000_000_000_000;
}

/** The simulated cloud's state, built from a seed; time comes from the clock. */
export class World {
  readonly seed: Seed;
  readonly clock: Clock;
  /** When the world was made (clock ms): the vehicles' odometers read their seeded start then. */
  readonly startedAt: number;
  readonly apps = new Map<string, SimApp>();
  readonly accounts = new Map<string, SimAccount>();
  readonly vehicles = new Map<string, SimVehicle>();
  readonly partners = new Map<string, PartnerAccount>();
  readonly telemetryConfigs = new Map<string, TelemetryConfigRecord>();
  readonly telemetryErrors: TelemetryErrorRecord[] = [];
  readonly #listeners = new Set<(vin: string) => void>();

  constructor(seed: Seed, clock: Clock) {
    this.seed = seed;
    this.clock = clock;
    this.startedAt = clock();
    for (const app of seed.apps) {
      this.apps.set(app.client_id, {
        clientId: app.client_id,
        clientSecret: app.client_secret,
        name: app.name,
        description: app.description,
        redirectUris: app.redirect_uris,
        allowedOrigins: app.allowed_origins.map(originHost),
        requirePartnerRegistration: app.require_partner_registration,
      });
    }
    let index = 0;
    for (const account of seed.accounts) {
      const id = randomUUID();
      this.accounts.set(id, {
        id,
        email: account.email,
        password: account.password,
        fullName: account.full_name,
        region: account.region,
        authorizedApps: new Set(account.authorized_apps),
        vins: account.vehicles.map((v) => v.vin),
      });
      for (const v of account.vehicles) {
        this.vehicles.set(v.vin, {
          id: numericId(v.vin, 'id'),
          vehicleId: numericId(v.vin, 'vehicle'),
          vin: v.vin,
          displayName: v.display_name,
          firmware: v.firmware,
          ownerId: id,
          unsupportedHardware: v.unsupported_hardware,
          otherTelemetryConfigs: v.other_telemetry_configs,
          stringValues: v.string_values,
          pairedDomains: new Set(v.paired_domains.map(originHost)),
          tokens: [randomBytes(8).toString('hex'), randomBytes(8).toString('hex')],
          index: index++,
          state: v.state,
          wakesAt: undefined,
        });
      }
    }
  }

  /**
   * Calls `listener` with a VIN whenever what decides that vehicle's telemetry stream changed: its
   * state, its paired keys, a configuration saved or deleted. Returns the unsubscribe function.
   */
  onVehicleChange(listener: (vin: string) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Tells the listeners that `vin` changed. */
  vehicleChanged(vin: string): void {
    for (const listener of this.#listeners) listener(vin);
  }

  /** The account with this email (case-insensitive). */
  accountByEmail(email: string): SimAccount | undefined {
    const wanted = email.trim().toLowerCase();
    return [...this.accounts.values()].find((a) => a.email.toLowerCase() === wanted);
  }

  /** A vehicle by VIN or by its `id`/`id_s`. */
  vehicleByIdOrVin(idOrVin: string): SimVehicle | undefined {
    const byVin = this.vehicles.get(idOrVin.toUpperCase());
    if (byVin) return byVin;
    return [...this.vehicles.values()].find((v) => String(v.id) === idOrVin);
  }

  /** The vehicles an account owns. */
  vehiclesOf(account: SimAccount): SimVehicle[] {
    return account.vins.flatMap((vin) => this.vehicles.get(vin) ?? []);
  }

  /** The vehicle's state now: a woken vehicle comes online once its wake-up time passes. */
  stateOf(vehicle: SimVehicle): VehicleState {
    if (vehicle.wakesAt !== undefined && this.clock() >= vehicle.wakesAt) this.setState(vehicle, 'online');
    return vehicle.state;
  }

  /** Sets a vehicle's state; coming online, it receives the configurations waiting for it. */
  setState(vehicle: SimVehicle, state: VehicleState): void {
    vehicle.state = state;
    vehicle.wakesAt = undefined;
    if (state === 'online') {
      for (const config of this.telemetryConfigs.values())
        if (config.vin === vehicle.vin) config.synced = true;
    }
    this.vehicleChanged(vehicle.vin);
  }

  /** Asks an asleep vehicle to wake: it comes online `wake_up_seconds` later. Offline ones cannot. */
  wake(vehicle: SimVehicle): void {
    if (this.stateOf(vehicle) !== 'asleep' || vehicle.wakesAt !== undefined) return;
    if (this.seed.wake_up_seconds === 0) this.setState(vehicle, 'online');
    else vehicle.wakesAt = this.clock() + this.seed.wake_up_seconds * 1000;
  }

  /** The app's registration in a region. */
  partner(region: Region, clientId: string): PartnerAccount | undefined {
    return this.partners.get(`${region}/${clientId}`);
  }

  /** Stores an app's registration in a region. */
  savePartner(account: PartnerAccount): void {
    this.partners.set(`${account.region}/${account.clientId}`, account);
  }

  /** The telemetry configuration `clientId` put on `vin`. */
  telemetryConfig(vin: string, clientId: string): TelemetryConfigRecord | undefined {
    return this.telemetryConfigs.get(`${vin}/${clientId}`);
  }

  /** Stores or replaces a telemetry configuration. */
  saveTelemetryConfig(record: TelemetryConfigRecord): void {
    this.telemetryConfigs.set(`${record.vin}/${record.clientId}`, record);
    this.vehicleChanged(record.vin);
  }

  /** Removes a configuration; true when there was one. */
  deleteTelemetryConfig(vin: string, clientId: string): boolean {
    const removed = this.telemetryConfigs.delete(`${vin}/${clientId}`);
    if (removed) this.vehicleChanged(vin);
    return removed;
  }

  /** How many configurations a vehicle holds, other apps' included. */
  telemetryConfigCount(vehicle: SimVehicle): number {
    let count = vehicle.otherTelemetryConfigs;
    for (const config of this.telemetryConfigs.values()) if (config.vin === vehicle.vin) count++;
    return count;
  }

  /** The domain registered for `clientId` in `region`, when the vehicle holds its key. */
  keyPaired(vehicle: SimVehicle, region: Region, clientId: string): boolean {
    const partner = this.partner(region, clientId);
    return partner !== undefined && vehicle.pairedDomains.has(partner.domain);
  }

  /** The state without secrets, for the control API. */
  snapshot(): Record<string, unknown> {
    return {
      now: new Date(this.clock()).toISOString(),
      apps: [...this.apps.values()].map((a) => ({
        client_id: a.clientId,
        name: a.name,
        redirect_uris: a.redirectUris,
        allowed_origins: a.allowedOrigins,
        require_partner_registration: a.requirePartnerRegistration,
      })),
      accounts: [...this.accounts.values()].map((a) => ({
        id: a.id,
        email: a.email,
        region: a.region,
        authorized_apps: [...a.authorizedApps],
        vehicles: a.vins,
      })),
      vehicles: [...this.vehicles.values()].map((v) => ({
        vin: v.vin,
        id_s: String(v.id),
        display_name: v.displayName,
        firmware: v.firmware,
        state: this.stateOf(v),
        waking: v.wakesAt !== undefined,
        paired_domains: [...v.pairedDomains],
        unsupported_hardware: v.unsupportedHardware,
        string_values: v.stringValues,
        telemetry_configs: this.telemetryConfigCount(v),
      })),
      partner_accounts: [...this.partners.values()].map((p) => ({
        region: p.region,
        client_id: p.clientId,
        domain: p.domain,
        public_key: Buffer.from(p.publicPoint).toString('hex'),
      })),
      telemetry_configs: [...this.telemetryConfigs.values()].map((c) => ({
        vin: c.vin,
        client_id: c.clientId,
        synced: c.synced,
        hostname: c.claims['hostname'],
        port: c.claims['port'],
        error: c.loadError ?? null,
      })),
      telemetry_errors: this.telemetryErrors,
    };
  }
}

/** `https://app.example.com/` or `App.Example.com` → `app.example.com`. */
export function originHost(origin: string): string {
  const text = origin.trim().toLowerCase();
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//.test(text)) return new URL(text).hostname;
  } catch {}
  return text.replace(/\/+$/, '');
}
