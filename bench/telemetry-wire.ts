/**
 * How fast one core decodes, records and acks telemetry frames: decodeEnvelope + decodeRecord +
 * encodeAck over typical `V` frames. Run alone: node --import tsx bench/telemetry-wire.ts
 */
import { performance } from 'node:perf_hooks';
import {
  decodeEnvelope,
  decodeRecord,
  encodeAck,
  encodeStreamEnvelope,
  encodeVehicleData,
} from '../src/telemetry/wire/index.ts';

const VIN = '5YJ3E7EB2NF000001';

/** A frame like a driving vehicle's: ten changed fields, typed, as Buffer (what `ws` hands over). */
export function typicalFrame(i: number): Buffer {
  const payload = encodeVehicleData({
    vin: VIN,
    createdAt: 1_767_225_600_000 + i * 1000,
    fields: {
      VehicleSpeed: { float_value: 40 + (i % 30) },
      Soc: 80 - (i % 50) / 10,
      Odometer: 12_345.6 + i / 100,
      Gear: 'ShiftStateD',
      Location: { latitude: 37.41 + i / 1e5, longitude: -122.14 },
      InsideTemp: 21.5,
      OutsideTemp: null,
      PackVoltage: { float_value: 398.7 },
      EstBatteryRange: 240 - (i % 40),
      Locked: true,
    },
  });
  return Buffer.from(
    encodeStreamEnvelope({ txid: `tx-${i}`, topic: 'V', payload, senderId: `vehicle_device.${VIN}` }),
  );
}

/** Messages per second through decode, record and ack for `seconds` of wall time. */
export function decodeRate(seconds: number): number {
  const frames = Array.from({ length: 256 }, (_, i) => typicalFrame(i));
  const context = { vin: VIN, receivedAt: 0 };
  let count = 0;
  const deadline = performance.now() + seconds * 1000;
  while (performance.now() < deadline) {
    for (const frame of frames) {
      const envelope = decodeEnvelope(frame);
      decodeRecord(envelope, context);
      encodeAck(envelope.txid, envelope.topic);
    }
    count += frames.length;
  }
  return count / seconds;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  decodeRate(1); // warm up the JIT
  console.log(
    `decode + record + ack: ${Math.round(decodeRate(3)).toLocaleString('en')} messages/s on one core`,
  );
}
