import { carType, type MotionSource, vehicleMotion } from '../vehicle-data.ts';

/**
 * A simulated vehicle's telemetry signals, by Tesla `Field` name, from the same motion model as
 * the simulator's vehicle_data, so the Fleet API and the stream tell the same story. Pure.
 */

/** One signal's value with the `Value` member a vehicle sends it as. */
export type Signal =
  | { readonly kind: 'double'; readonly value: number }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'bool'; readonly value: boolean }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'location'; readonly value: { readonly latitude: number; readonly longitude: number } }
  /** An enum member by its Tesla name, e.g. `ShiftStateD`. */
  | { readonly kind: 'enum'; readonly value: string }
  | { readonly kind: 'invalid' };

/** Who the vehicle is, for its signals. */
export interface SignalSource extends MotionSource {
  readonly displayName: string;
  readonly firmware: string;
}

const PACK_KWH = 75;
const CAR_TYPES: Readonly<Record<string, string>> = {
  models: 'CarTypeModelS',
  modelx: 'CarTypeModelX',
  modely: 'CarTypeModelY',
  model3: 'CarTypeModel3',
};

const double = (value: number): Signal => ({ kind: 'double', value });
const int = (value: number): Signal => ({ kind: 'int', value: Math.round(value) });
const bool = (value: boolean): Signal => ({ kind: 'bool', value });
const text = (value: string): Signal => ({ kind: 'string', value });
const member = (value: string): Signal => ({ kind: 'enum', value });
const round = (value: number, digits: number) => Number(value.toFixed(digits));

/** Every field the model knows at `now`; fields it does not know are sent as invalid. */
export function vehicleSignals(source: SignalSource, now: number): ReadonlyMap<string, Signal> {
  const m = vehicleMotion(source, now);
  const soc = round(m.battery, 2);
  const packVoltage = round(350 + 0.6 * m.battery, 1);
  const chargeState = m.charging ? 'Charging' : m.driving ? 'Disconnected' : 'Complete';
  const parked = !m.driving;
  return new Map<string, Signal>([
    ['VehicleSpeed', double(m.speed ?? 0)],
    ['Odometer', double(m.odometer)],
    ['Soc', double(soc)],
    ['BatteryLevel', double(soc)],
    ['Location', { kind: 'location', value: { latitude: m.latitude, longitude: m.longitude } }],
    ['GpsHeading', double(m.heading)],
    ['GpsState', bool(true)],
    ['Gear', member(m.driving ? 'ShiftStateD' : 'ShiftStateP')],
    ['DetailedChargeState', member(`DetailedChargeState${chargeState}`)],
    ['ChargeState', text(chargeState)],
    ['ChargeLimitSoc', int(80)],
    ['RatedRange', double(m.range)],
    ['IdealBatteryRange', double(m.range)],
    ['EstBatteryRange', double(round(m.range * 0.93, 2))],
    ['EnergyRemaining', double(round((m.battery / 100) * PACK_KWH, 2))],
    ['PackVoltage', double(packVoltage)],
    ['PackCurrent', double(round((m.power * 1000) / packVoltage, 1))],
    ['ACChargingPower', double(m.charging ? 11 : 0)],
    ['DCChargingPower', double(0)],
    ['ChargerVoltage', double(m.charging ? 240 : 0)],
    ['ChargeAmps', int(m.charging ? 32 : 0)],
    ['ChargerPhases', m.charging ? int(1) : { kind: 'invalid' }],
    ['TimeToFullCharge', double(m.charging ? round((80 - m.battery) / 36, 2) : 0)],
    ['ChargePortDoorOpen', bool(parked)],
    ['FastChargerPresent', bool(false)],
    ['InsideTemp', double(m.insideTemp)],
    ['OutsideTemp', double(m.outsideTemp)],
    ['Locked', bool(parked)],
    ['SentryMode', member(parked ? 'SentryModeStateArmed' : 'SentryModeStateOff')],
    ['VehicleName', text(source.displayName)],
    ['Version', text(`${source.firmware} 0a1b2c3d4e5f`)],
    ['CarType', member(CAR_TYPES[carType(source.vin)] ?? 'CarTypeModel3')],
    ['DriverSeatOccupied', bool(m.driving)],
  ]);
}

/** The signal for `field`: the model's value, or invalid for a field it does not simulate. */
export function signalOf(signals: ReadonlyMap<string, Signal>, field: string): Signal {
  return signals.get(field) ?? { kind: 'invalid' };
}
