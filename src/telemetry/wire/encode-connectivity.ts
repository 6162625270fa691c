/** Encodes a `connectivity` record as Tesla's VehicleConnectivity, for sinks that forward protobuf. */
import { schemas } from './protobuf-schemas.ts';
import { msToTimestamp } from './timestamps.ts';
import { decodeOrFail } from './wire-error.ts';

/** What a VehicleConnectivity message holds. */
export interface VehicleConnectivityInput {
  readonly vin: string;
  readonly connectionId: string;
  readonly status: 'CONNECTED' | 'DISCONNECTED';
  /** ms since the epoch. */
  readonly createdAt: number;
  readonly networkInterface?: string | undefined;
}

/** Encodes a VehicleConnectivity message. */
export function encodeConnectivity(input: VehicleConnectivityInput): Uint8Array {
  const message = schemas.vehicleConnectivity.fromObject({
    vin: input.vin,
    connection_id: input.connectionId,
    status: schemas.connectivityEvent.values[input.status],
    created_at: msToTimestamp(input.createdAt),
    network_interface: input.networkInterface ?? '',
  });
  return schemas.vehicleConnectivity.encode(message).finish();
}

/** Decodes a VehicleConnectivity message (for tests and consumers of protobuf sinks). */
export function decodeConnectivity(bytes: Uint8Array): VehicleConnectivityInput {
  return decodeOrFail('TELEMETRY_PAYLOAD_INVALID', 'connectivity payload', () => readConnectivity(bytes));
}

function readConnectivity(bytes: Uint8Array): VehicleConnectivityInput {
  const message = schemas.vehicleConnectivity.toObject(schemas.vehicleConnectivity.decode(bytes), {
    enums: String,
    longs: Number,
    defaults: true,
  }) as {
    vin: string;
    connection_id: string;
    status: string;
    created_at?: { seconds: number; nanos: number };
    network_interface: string;
  };
  const created = message.created_at;
  return {
    vin: message.vin,
    connectionId: message.connection_id,
    status: message.status as 'CONNECTED' | 'DISCONNECTED',
    createdAt: created ? created.seconds * 1000 + Math.trunc(created.nanos / 1e6) : 0,
    networkInterface: message.network_interface,
  };
}
