import { randomUUID } from 'node:crypto';
import type { VehicleCertificate } from '../vehicle-ca.ts';
import { compareFirmware, SIGNED_TELEMETRY_FIRMWARE } from '../vehicle-json.ts';
import type { VehicleStreams, VehicleStreamsDeps, VehicleStreamsFactory } from '../vehicle-streams.ts';
import type { SimVehicle, TelemetryConfigRecord, World } from '../world.ts';
import { Scheduler } from './scheduler.ts';
import { seededRandom } from './seeded-random.ts';
import { type StreamTarget, sameConnection, streamTargetOf } from './stream-target.ts';
import { type StreamOptions, VehicleStream } from './vehicle-stream.ts';

/**
 * The simulator's vehicles as telemetry clients: for every configuration a vehicle can use (online,
 * key paired, firmware new enough, signature verified, not expired) one {@link VehicleStream};
 * none for the rest. The world says when a vehicle changed; a periodic look catches what changes
 * with time alone (a vehicle that finished waking, a configuration that expired).
 */

/** How virtual vehicles behave; every field has a default. */
export interface VirtualFleetOptions extends Partial<Omit<StreamOptions, 'rates'>> {
  /** Seeds the randomness of incidents and reconnect jitter (default `gatehouse`). */
  readonly seed?: string | undefined;
  readonly alertsPerHour?: number | undefined;
  readonly errorsPerHour?: number | undefined;
  /**
   * False for a manual clock: nothing runs until {@link VirtualFleet.tick} is called after the
   * clock moved. True (the default) arms a real timer for the next due task.
   */
  readonly realTimers?: boolean | undefined;
}

const RECHECK_MS = 5_000;

/** The running streams of a simulator's vehicles. */
export class VirtualFleet implements VehicleStreams {
  readonly #deps: VehicleStreamsDeps;
  readonly #options: StreamOptions;
  readonly #seed: string;
  readonly #scheduler: Scheduler;
  /** By VIN, then by client id. */
  readonly #streams = new Map<string, Map<string, VehicleStream>>();
  // One parse per configuration record: a re-sent configuration is a new record.
  readonly #targets = new WeakMap<TelemetryConfigRecord, StreamTarget | { error: string }>();
  readonly #certificates = new Map<string, Promise<VehicleCertificate>>();
  readonly #unsubscribe: () => void;
  #stopped = false;

  constructor(deps: VehicleStreamsDeps, options: VirtualFleetOptions = {}) {
    this.#deps = deps;
    this.#seed = options.seed ?? 'gatehouse';
    this.#options = {
      ackTimeoutMs: options.ackTimeoutMs ?? 30_000,
      minBackoffMs: options.minBackoffMs ?? 1_000,
      maxBackoffMs: options.maxBackoffMs ?? 60_000,
      outboxLimit: options.outboxLimit ?? 500,
      networkInterface: options.networkInterface ?? 'wifi',
      clientVersion: options.clientVersion ?? '1.0.0',
      rates: { alertsPerHour: options.alertsPerHour ?? 2, errorsPerHour: options.errorsPerHour ?? 1 },
    };
    this.#scheduler = new Scheduler({
      clock: deps.clock,
      realTimers: options.realTimers ?? true,
      onError: (error) => deps.logger?.error({ err: error }, 'vehicle: stream task failed'),
    });
    this.#unsubscribe = deps.world.onVehicleChange((vin) => this.#reconcileVehicle(vin));
    this.#recheckEvery();
  }

  /** Runs whatever is due at the clock's time now; with a manual clock, call it after moving it. */
  tick(): void {
    this.#scheduler.runDue();
  }

  /** The state of each of a vehicle's streams. */
  streamsOf(vin: string): Record<string, unknown>[] {
    return [...(this.#streams.get(vin)?.values() ?? [])].map((stream) => stream.state());
  }

  /** How many streams run and how many of them are connected. */
  counts(): { streams: number; connected: number } {
    let streams = 0;
    let connected = 0;
    for (const byClient of this.#streams.values()) {
      for (const stream of byClient.values()) {
        streams++;
        if (stream.connected) connected++;
      }
    }
    return { streams, connected };
  }

  /** Closes every stream. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#unsubscribe();
    this.#scheduler.stop();
    const closing = [...this.#streams.values()].flatMap((byClient) =>
      [...byClient.values()].map((s) => s.stop()),
    );
    this.#streams.clear();
    await Promise.all(closing);
  }

  #recheckEvery(): void {
    this.#reconcileAll();
    this.#scheduler.after(RECHECK_MS, () => this.#recheckEvery());
  }

  #reconcileAll(): void {
    const vins = new Set<string>();
    for (const config of this.#deps.world.telemetryConfigs.values()) vins.add(config.vin);
    for (const vin of this.#streams.keys()) vins.add(vin);
    for (const vin of vins) this.#reconcileVehicle(vin);
  }

  #reconcileVehicle(vin: string): void {
    if (this.#stopped) return;
    const { world } = this.#deps;
    const vehicle = world.vehicles.get(vin);
    const wanted = new Map<string, StreamTarget>();
    if (vehicle) {
      for (const clientId of world.apps.keys()) {
        const config = world.telemetryConfig(vin, clientId);
        const target = config && this.#usableTarget(world, vehicle, config);
        if (target) wanted.set(clientId, target);
      }
    }
    const running = this.#streams.get(vin) ?? new Map<string, VehicleStream>();
    for (const [clientId, stream] of running) {
      const target = wanted.get(clientId);
      if (target && sameConnection(stream.target, target)) {
        if (target !== stream.target) stream.reconfigure(target);
        wanted.delete(clientId);
        continue;
      }
      running.delete(clientId);
      void stream.stop();
    }
    if (vehicle)
      for (const [clientId, target] of wanted) running.set(clientId, this.#start(vehicle, clientId, target));
    if (running.size > 0) this.#streams.set(vin, running);
    else this.#streams.delete(vin);
  }

  /** The target of a configuration the vehicle streams for, else undefined. */
  #usableTarget(world: World, vehicle: SimVehicle, config: TelemetryConfigRecord): StreamTarget | undefined {
    if (config.loadError !== undefined) return undefined;
    if (world.stateOf(vehicle) !== 'online') return undefined;
    if (compareFirmware(vehicle.firmware, SIGNED_TELEMETRY_FIRMWARE) < 0 || vehicle.unsupportedHardware) {
      return undefined;
    }
    const region = world.accounts.get(vehicle.ownerId)?.region;
    if (!region || !world.keyPaired(vehicle, region, config.clientId)) return undefined;
    const cached = this.#targets.get(config);
    const target = cached ?? streamTargetOf(config.claims);
    if (!cached) this.#targets.set(config, target);
    if ('error' in target) {
      if (!cached) this.#report(vehicle.vin, config.clientId, target.error, 'config_manager_error');
      return undefined;
    }
    if (target.expiresAt !== undefined && target.expiresAt <= world.clock()) return undefined;
    return target;
  }

  #start(vehicle: SimVehicle, clientId: string, target: StreamTarget): VehicleStream {
    const { world, clock } = this.#deps;
    const region = world.accounts.get(vehicle.ownerId)?.region ?? 'na';
    return new VehicleStream(
      {
        clientId,
        source: {
          vin: vehicle.vin,
          index: vehicle.index,
          region,
          startedAt: world.startedAt,
          displayName: vehicle.displayName,
          firmware: vehicle.firmware,
        },
        stringValues: vehicle.stringValues,
        scheduler: this.#scheduler,
        clock,
        certificate: () => this.#certificate(vehicle.vin),
        resolve: this.#deps.resolve,
        reportError: (error) => this.#report(vehicle.vin, clientId, error, 'client_connection_error'),
        random: seededRandom(`${this.#seed}/${vehicle.vin}/${clientId}`),
        options: this.#options,
        logger: this.#deps.logger,
      },
      target,
    );
  }

  #certificate(vin: string): Promise<VehicleCertificate> {
    let issued = this.#certificates.get(vin);
    if (!issued) {
      issued = this.#deps.ca.issueVehicleCertificate(vin);
      this.#certificates.set(vin, issued);
    }
    return issued;
  }

  /** Adds an error to Tesla's lists; the same error again only moves its time. */
  #report(vin: string, clientId: string, error: string, errorName: string): void {
    const { world } = this.#deps;
    const entry = {
      created_at: new Date(world.clock()).toISOString(),
      error,
      error_name: errorName,
      name: clientId,
      txID: randomUUID(),
      vin,
    };
    const same = world.telemetryErrors.findIndex(
      (e) => e.vin === vin && e.name === clientId && e.error === error,
    );
    if (same >= 0) world.telemetryErrors.splice(same, 1, entry);
    else world.telemetryErrors.push(entry);
  }
}

/** A factory for `startSimulator({streams})`: its configured vehicles stream telemetry. */
export function virtualVehicles(options: VirtualFleetOptions = {}): VehicleStreamsFactory {
  return (deps) => new VirtualFleet(deps, options);
}
