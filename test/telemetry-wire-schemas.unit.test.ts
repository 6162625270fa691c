import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DESCRIPTORS_PATH, descriptorsSource } from '../scripts/telemetry-descriptors.ts';
import { fieldName, fieldNumber } from '../src/telemetry/wire/index.ts';
import { memberByNumber } from '../src/telemetry/wire/value-members.ts';

test('the committed descriptors are generated from the .proto files as they are', () => {
  assert.equal(
    readFileSync(DESCRIPTORS_PATH, 'utf8'),
    descriptorsSource(),
    'run: node --import tsx scripts/telemetry-descriptors.ts',
  );
});

test('the Field enum runs to 259 with Tesla names, and unknown numbers are Field_<n>', () => {
  const known: [number, string][] = [
    [4, 'VehicleSpeed'],
    [8, 'Soc'],
    [10, 'Gear'],
    [21, 'Location'],
    [42, 'BatteryLevel'],
    [59, 'Locked'],
    [85, 'InsideTemp'],
    [158, 'EnergyRemaining'],
    [179, 'DetailedChargeState'],
    [259, 'SelfDrivingMilesSinceReset'],
  ];
  for (const [number, name] of known) {
    assert.equal(fieldName(number), name);
    assert.equal(fieldNumber(name), number);
  }
  assert.equal(fieldName(260), 'Field_260');
  assert.equal(fieldName(-3), 'Field_-3');
  assert.equal(fieldNumber('Field_260'), 260);
  assert.equal(fieldNumber('Nonsense'), undefined);
});

test('the Value oneof has every member from 1 to 54 but 20', () => {
  for (let number = 1; number <= 54; number++) {
    assert.equal(memberByNumber(number) === undefined, number === 20, `member ${number}`);
  }
  assert.equal(memberByNumber(54)?.name, 'sunroof_installed_state_value');
  assert.equal(memberByNumber(31)?.name, 'time_value');
  assert.equal(memberByNumber(32)?.name, 'detailed_charge_state_value');
});
