/** The narrowest time window a chart shows, in seconds: a single sample sits in its middle. */
export const MIN_WINDOW_SECONDS = 120;

/**
 * The time axis's range for samples at `times` (seconds, oldest first): their span, widened to
 * {@link MIN_WINDOW_SECONDS} around them when shorter. uPlot's own range for one sample is a
 * thousand days wide.
 */
export function timeWindow(times: readonly number[], now: number): [number, number] {
  if (times.length === 0) return [now - MIN_WINDOW_SECONDS, now];
  const first = times[0]!;
  const last = times[times.length - 1]!;
  if (last - first >= MIN_WINDOW_SECONDS) return [first, last];
  const middle = (first + last) / 2;
  return [middle - MIN_WINDOW_SECONDS / 2, middle + MIN_WINDOW_SECONDS / 2];
}

/** Metres in one degree of latitude (and of longitude at the equator). */
export const METRES_PER_DEGREE = 111_320;

/** A round distance (1, 2 or 5 × 10ⁿ metres) no longer than `metres`, with its label. */
export function scaleBar(metres: number): { metres: number; label: string } {
  const power = 10 ** Math.floor(Math.log10(Math.max(metres, 1e-3)));
  const step = [5, 2, 1].map((f) => f * power).find((m) => m <= metres) ?? power;
  const label = step >= 1000 ? `${step / 1000} km` : step >= 1 ? `${step} m` : `${step * 100} cm`;
  return { metres: step, label };
}
