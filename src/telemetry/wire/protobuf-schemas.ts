/**
 * The telemetry protobuf schemas, loaded once from the descriptors generated from
 * ./schema/*.proto (scripts/telemetry-descriptors.ts), and the handles the codecs use.
 */
import protobuf from 'protobufjs';
import descriptors from './schema/descriptors.json' with { type: 'json' };

const root = protobuf.Root.fromJSON(descriptors as protobuf.INamespace);
root.resolveAll();

function type(name: string): protobuf.Type {
  return root.lookupType(name);
}

function enumeration(name: string): protobuf.Enum {
  return root.lookupEnum(name);
}

/** The message types of Tesla's four payloads and their parts. */
export const schemas = {
  payload: type('telemetry.vehicle_data.Payload'),
  value: type('telemetry.vehicle_data.Value'),
  field: enumeration('telemetry.vehicle_data.Field'),
  vehicleAlerts: type('telemetry.vehicle_alerts.VehicleAlerts'),
  audience: enumeration('telemetry.vehicle_alerts.Audience'),
  vehicleErrors: type('telemetry.vehicle_error.VehicleErrors'),
  vehicleConnectivity: type('telemetry.vehicle_connectivity.VehicleConnectivity'),
  connectivityEvent: enumeration('telemetry.vehicle_connectivity.ConnectivityEvent'),
} as const;

/** protobufjs's reader and writer, re-exported so the codecs import one module. */
export const { Reader, Writer } = protobuf;
/** A protobufjs reader. */
export type Reader = protobuf.Reader;
/** A protobufjs writer. */
export type Writer = protobuf.Writer;
