import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { timeWindow } from './chart-scales.ts';
import type { Series } from './fleet-state.ts';

/** A uPlot line chart of one series over time, its unit on the value axis, redrawn whenever `version` moves. */
export function LiveChart(props: {
  readonly name: string;
  readonly label: string;
  /** The values' unit, as the axis and legend show it (`mph`, `%`). */
  readonly unit: string;
  readonly series: Series;
  readonly version: number;
  readonly range?: [number, number];
}) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);

  useEffect(() => {
    if (!host.current) return;
    const chart = new uPlot(
      {
        width: Math.max(280, host.current.clientWidth || 420),
        height: 180,
        scales: {
          // A vehicle sends a field when it changes, so one value may be all there is: a couple
          // of minutes around it (uPlot's own range for a single time spans about three years).
          x: { time: true, range: (u) => timeWindow(u.data[0] as number[], Date.now() / 1000) },
          ...(props.range ? { y: { range: props.range } } : {}),
        },
        series: [
          { label: 'Time', value: (_u, t) => (t === null ? '–' : new Date(t * 1000).toLocaleTimeString()) },
          {
            label: `${props.label} (${props.unit})`,
            stroke: '#2563eb',
            width: 2,
            spanGaps: false,
            points: { show: true, size: 6 },
            value: (_u, v) => (v === null ? '–' : `${v} ${props.unit}`),
          },
        ],
        axes: [
          // Local times of day; a date only where the day changes.
          { values: [[1, '{HH}:{mm}:{ss}', '\n{YYYY}-{MM}-{DD}', null, '\n{MM}-{DD}', null, null, null, 1]] },
          { size: 56, label: props.unit, labelSize: 18 },
        ],
        legend: { show: true },
      },
      props.series,
      host.current,
    );
    plot.current = chart;
    // The charts share a row with the location trace: each follows its own box's width.
    const box = host.current;
    const resize = new ResizeObserver(() => {
      const width = Math.max(240, box.clientWidth);
      if (width !== chart.width) chart.setSize({ width, height: 180 });
    });
    resize.observe(box);
    return () => {
      resize.disconnect();
      chart.destroy();
    };
  }, [props.series]);

  useEffect(() => {
    plot.current?.setData(props.series);
  }, [props.version, props.series]);

  // How many values the chart draws: what a reader (or a test) can check without the canvas.
  const drawn = props.series[1].filter((value) => value !== null).length;
  return (
    <figure class="chart-box">
      <figcaption>
        {props.label} <span class="unit">({props.unit})</span>
      </figcaption>
      <div class="chart" data-chart={props.name} data-values={drawn} ref={host} />
    </figure>
  );
}
