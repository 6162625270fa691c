/** Recent positions as an SVG polyline, scaled to fit; the last one marked. No map tiles. */
export function LocationTrace(props: {
  readonly points: readonly { latitude: number; longitude: number }[];
}) {
  const { points } = props;
  if (points.length === 0) return <p class="empty">No location yet.</p>;
  const size = 240;
  const pad = 12;
  const lats = points.map((p) => p.latitude);
  const lons = points.map((p) => p.longitude);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  // A degree of longitude shrinks away from the equator: scale it so the trace keeps its shape.
  const xs = lons.map((lon) => lon * Math.cos((midLat * Math.PI) / 180));
  const minX = Math.min(...xs);
  const minY = Math.min(...lats);
  const span = Math.max(Math.max(...xs) - minX, Math.max(...lats) - minY, 1e-6);
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
  return (
    <figure class="trace">
      <svg viewBox={`0 0 ${size} ${size}`} width={size} height={size} role="img" aria-label="location trace">
        <rect width={size} height={size} fill="#f8fafc" />
        <polyline points={drawn} fill="none" stroke="#2563eb" stroke-width="2" />
        <circle cx={lastX} cy={lastY} r="4" fill="#dc2626" />
      </svg>
      <figcaption data-field="location">
        {last.latitude.toFixed(5)}, {last.longitude.toFixed(5)}
      </figcaption>
    </figure>
  );
}
