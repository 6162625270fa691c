import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { MIN_WINDOW_SECONDS, scaleBar, timeWindow } from '../ui/dashboard/src/chart-scales.ts';

describe("the dashboard charts' scales", () => {
  const now = 1_796_000_000;
  test('time windows: one sample sits in a two-minute window, not years', () => {
    for (const [times, expected] of [
      [[], [now - MIN_WINDOW_SECONDS, now]],
      [[now - 30], [now - 90, now + 30]],
      [
        [now - 40, now - 20],
        [now - 90, now + 30],
      ],
      [
        [now - 600, now],
        [now - 600, now],
      ],
    ] as const)
      assert.deepEqual(timeWindow(times, now), expected, `for ${JSON.stringify(times)}`);
  });

  test('scale bars: a round distance no longer than the room, labelled in its unit', () => {
    for (const [room, metres, label] of [
      [73.4, 50, '50 m'],
      [199, 100, '100 m'],
      [2500, 2000, '2 km'],
      [9999, 5000, '5 km'],
      [1, 1, '1 m'],
      [0.3, 0.2, '20 cm'],
    ] as const)
      assert.deepEqual(scaleBar(room), { metres, label }, `for ${room} m`);
  });
});
