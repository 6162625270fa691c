import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

/** One line of a chart: its label, colour and values (one per time). */
export interface Line {
  readonly label: string;
  readonly stroke: string;
  readonly values: readonly number[];
}

/** A uPlot time chart of several lines over the same times (seconds), with a y-axis unit or format. */
export function TimeChart(props: {
  name: string;
  title: string;
  unit: string;
  times: readonly number[];
  lines: readonly Line[];
  /** How a y-axis value reads, when a unit after it is not enough (bytes as KiB, MiB). */
  format?: (value: number) => string;
}) {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!host.current) return;
    const data = [props.times, ...props.lines.map((l) => l.values)] as unknown as uPlot.AlignedData;
    const chart = new uPlot(
      {
        width: Math.max(300, host.current.clientWidth || 560),
        height: 200,
        scales: {
          x: { time: true, range: (_u, min, max) => (min === max ? [min - 60, max + 60] : [min, max]) },
        },
        series: [{}, ...props.lines.map((l) => ({ label: l.label, stroke: l.stroke, width: 2 }))],
        axes: [
          {},
          {
            size: props.format ? 72 : 56,
            values: (_u, ticks) => ticks.map((t) => (props.format ? props.format(t) : `${t} ${props.unit}`)),
          },
        ],
      },
      data,
      host.current,
    );
    return () => chart.destroy();
  }, [props.times, props.lines, props.unit, props.format]);
  return (
    <figure class="chart-box">
      <figcaption>{props.title}</figcaption>
      <div
        class="chart"
        data-chart={props.name}
        data-points={props.times.length}
        ref={host}
        role="img"
        aria-label={props.title}
      />
    </figure>
  );
}
