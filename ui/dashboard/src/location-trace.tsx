import { METRES_PER_DEGREE, scaleBar } from './chart-scales.ts';

/** The narrowest area the trace shows, in degrees (about 220 m): one position is not a pin on a blank. */
const MIN_SPAN_DEGREES = 0.002;

/**
 * Recent positions as an SVG polyline, scaled to fit with a scale bar and north up; the last one
 * marked. No map tiles.
 */
export function LocationTrace(props: {
  readonly points: readonly { latitude: number; longitude: number }[];
}) {
  const { points } = props;
  if (points.length === 0) return <p class="empty">No location yet.</p>;
  const size = 240;
  const pad = 16;
  const lats = points.map((p) => p.latitude);
  const lons = points.map((p) => p.longitude);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  // A degree of longitude shrinks away from the equator: scale it so the trace keeps its shape.
  const xs = lons.map((lon) => lon * Math.cos((midLat * Math.PI) / 180));
  const spanX = Math.max(...xs) - Math.min(...xs);
  const spanY = Math.max(...lats) - Math.min(...lats);
  const span = Math.max(spanX, spanY, MIN_SPAN_DEGREES);
  // Centred: a short or single trace sits in the middle of the area shown.
  const minX = Math.min(...xs) - (span - spanX) / 2;
  const minY = Math.min(...lats) - (span - spanY) / 2;
  const scale = (size - 2 * pad) / span;
  const at = (i: number) => [pad + (xs[i]! - minX) * scale, size - pad - (lats[i]! - minY) * scale] as const;
  const drawn = points
    .map((_, i) =>
      at(i)
        .map((n) => n.toFixed(1))
        .join(','),
    )
    .join(' ');
  const [lastX, lastY] = at(points.length - 1);
  const last = points[points.length - 1]!;
  // A bar of a round distance, at most a third of the drawing wide.
  const bar = scaleBar(((size - 2 * pad) / 3 / scale) * METRES_PER_DEGREE);
  const barPixels = (bar.metres / METRES_PER_DEGREE) * scale;
  return (
    <figure class="trace">
      <svg viewBox={`0 0 ${size} ${size}`} width={size} height={size} role="img" aria-label="location trace">
        <rect width={size} height={size} fill="#f8fafc" stroke="#e5e7eb" />
        <polyline points={drawn} fill="none" stroke="#2563eb" stroke-width="2" />
        <circle cx={lastX} cy={lastY} r="4" fill="#dc2626" />
        <g class="scale-bar" data-metres={bar.metres}>
          <path
            d={`M${pad} ${size - 14} v4 h${barPixels.toFixed(1)} v-4`}
            fill="none"
            stroke="#374151"
            stroke-width="1.5"
          />
          <text x={pad} y={size - 18} font-size="11" fill="#374151">
            {bar.label}
          </text>
        </g>
        <text x={size - 16} y="18" font-size="11" fill="#374151" text-anchor="middle">
          N ↑
        </text>
      </svg>
      <figcaption data-field="location">
        {last.latitude.toFixed(5)}, {last.longitude.toFixed(5)}
      </figcaption>
    </figure>
  );
}
