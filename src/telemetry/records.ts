/**
 * What a vehicle's telemetry becomes once decoded: one record per message, of one of Tesla's
 * record types. Decoders produce these, sinks and dashboards consume them.
 */

/** Tesla's record types; `connectivity` records are made by the receiver on connect and disconnect. */
export type RecordType = 'V' | 'alerts' | 'errors' | 'connectivity';

/** A decoded field value: numbers as numbers, enums by their Tesla names, invalid values `null`. */
export type FieldValue =
  | string
  | number
  | boolean
  | null
  | { readonly latitude: number; readonly longitude: number }
  | { readonly [key: string]: unknown };

/** What every record carries besides its payload. */
export interface RecordMeta {
  /** From the client certificate's CN (a `.` becomes `-`), never from the payload. */
  readonly vin: string;
  /** The vehicle's own time of the data, ms since the epoch. */
  readonly createdAt: number;
  /** When the receiver got it, ms since the epoch. */
  readonly receivedAt: number;
  /** The envelope's txid (hex), echoed in the ack. */
  readonly txid: string;
  /** The `Version` header the vehicle connected with. */
  readonly deviceClientVersion?: string | undefined;
}

/** `V`: the vehicle's data; unknown field numbers appear as `Field_<n>`. */
export interface VehicleDataRecord extends RecordMeta {
  readonly type: 'V';
  readonly fields: Readonly<Record<string, FieldValue>>;
  readonly isResend: boolean;
}

/** One alert; active while `endedAt` is unset. */
export interface VehicleAlert {
  readonly name: string;
  readonly audiences: readonly string[];
  readonly startedAt: number | undefined;
  readonly endedAt: number | undefined;
}

/** `alerts`. */
export interface AlertsRecord extends RecordMeta {
  readonly type: 'alerts';
  readonly alerts: readonly VehicleAlert[];
}

/** One vehicle error. */
export interface VehicleError {
  readonly name: string;
  readonly createdAt: number | undefined;
  readonly tags: Readonly<Record<string, string>>;
  readonly body: string;
}

/** `errors`. */
export interface ErrorsRecord extends RecordMeta {
  readonly type: 'errors';
  readonly errors: readonly VehicleError[];
}

/** `connectivity`: made by the receiver when a vehicle connects or disconnects. */
export interface ConnectivityRecord extends RecordMeta {
  readonly type: 'connectivity';
  readonly status: 'CONNECTED' | 'DISCONNECTED';
  readonly connectionId: string;
  readonly networkInterface?: string | undefined;
}

/** Any record. */
export type TelemetryRecord = VehicleDataRecord | AlertsRecord | ErrorsRecord | ConnectivityRecord;

/**
 * Where records go: Redis Streams, NATS JetStream, MQTT, the store, the log. `write` resolves once
 * the sink holds the record durably (for durable sinks) and rejects when it cannot; the receiver
 * acks a record under reliable ack only after its chosen sink resolved.
 */
export interface RecordSink {
  /** The name the config's `records` map uses: `redis`, `nats`, `mqtt`, `store`, `logger`. */
  readonly name: string;
  write(record: TelemetryRecord): Promise<void>;
  close(): Promise<void>;
}
