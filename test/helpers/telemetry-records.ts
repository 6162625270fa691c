import { createLogger, type Logger } from '../../src/core/logger.ts';
import type {
  AlertsRecord,
  ConnectivityRecord,
  ErrorsRecord,
  TelemetryRecord,
  VehicleDataRecord,
} from '../../src/telemetry/records.ts';

/** The VIN the sample records carry. */
export const SAMPLE_VIN = '5YJ3E7EB2NF000001';

const meta = (txid: string, createdAt: number) => ({
  vin: SAMPLE_VIN,
  createdAt,
  receivedAt: createdAt + 40,
  txid,
  deviceClientVersion: '1.0.2',
});

/** A `V` record with a number, a location, an enum and an invalid value; `txid` tells copies apart. */
export function vehicleData(txid = 'a1', createdAt = 1_767_225_600_000): VehicleDataRecord {
  return {
    ...meta(txid, createdAt),
    type: 'V',
    isResend: false,
    fields: {
      VehicleSpeed: 61.5,
      Location: { latitude: 37.4925, longitude: -121.9447 },
      Gear: 'ShiftStateD',
      InsideTemp: null,
    },
  };
}

/** An `alerts` record: the same alert twice (an ended and a newer active one) and another. */
export function alerts(txid = 'b1', createdAt = 1_767_225_600_000): AlertsRecord {
  return {
    ...meta(txid, createdAt),
    type: 'alerts',
    alerts: [
      {
        name: 'BMS_w035_SW_Dc_Link_V_Sense',
        audiences: ['Service'],
        startedAt: createdAt - 60_000,
        endedAt: createdAt - 30_000,
      },
      {
        name: 'BMS_w035_SW_Dc_Link_V_Sense',
        audiences: ['Service'],
        startedAt: createdAt - 10_000,
        endedAt: undefined,
      },
      {
        name: 'APP_w222_tirePressureLow',
        audiences: ['Customer', 'Service'],
        startedAt: createdAt - 5_000,
        endedAt: undefined,
      },
    ],
  };
}

/** An `errors` record with one error. */
export function errors(txid = 'c1', createdAt = 1_767_225_600_000): ErrorsRecord {
  return {
    ...meta(txid, createdAt),
    type: 'errors',
    errors: [{ name: 'stream_config', createdAt, tags: { field: 'Field_250' }, body: 'unknown field' }],
  };
}

/** A `connectivity` record. */
export function connectivity(txid = 'd1', createdAt = 1_767_225_600_000): ConnectivityRecord {
  return {
    ...meta(txid, createdAt),
    type: 'connectivity',
    status: 'CONNECTED',
    connectionId: 'conn-1',
    networkInterface: 'wifi',
  };
}

/** One record of each type. */
export function oneOfEach(): TelemetryRecord[] {
  return [vehicleData(), alerts(), errors(), connectivity()];
}

/** A debug-level logger whose lines the test can read. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { logger: createLogger('debug', { write: (line: string) => void lines.push(line) }), lines };
}
