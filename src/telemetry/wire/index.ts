/**
 * Tesla's telemetry wire format: pure decoders (bytes in, values out, only GatehouseErrors with
 * TELEMETRY_* codes thrown) and the encoders acks, virtual vehicles and protobuf sinks use.
 */
export { decodeAlerts, type VehicleAlerts } from './decode-alerts.ts';
export { decodeEnvelope, salvageEnvelopeIds } from './decode-envelope.ts';
export { decodeErrors, type VehicleErrors } from './decode-errors.ts';
export {
  type DecodedRecord,
  decodeRecord,
  RECORD_TOPICS,
  type RecordContext,
  txidHex,
} from './decode-record.ts';
export { decodeVehicleData, type VehicleData } from './decode-vehicle-data.ts';
export { encodeAlerts, type VehicleAlertsInput } from './encode-alerts.ts';
export {
  decodeConnectivity,
  encodeConnectivity,
  type VehicleConnectivityInput,
} from './encode-connectivity.ts';
export {
  encodeAck,
  encodeFormatError,
  encodeStreamEnvelope,
  type StreamEnvelopeInput,
} from './encode-envelope.ts';
export { encodeErrors, type VehicleErrorsInput } from './encode-errors.ts';
export { encodeVehicleData, type VehicleDataInput } from './encode-vehicle-data.ts';
export { type Envelope, MAX_MESSAGE_BYTES, type MessageType, type StreamMessage } from './envelope.ts';
export { fieldName, fieldNumber } from './field-names.ts';
