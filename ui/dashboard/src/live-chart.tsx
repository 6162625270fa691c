import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Series } from './fleet-state.ts';

/** A uPlot line chart of one series, redrawn whenever `version` moves. */
export function LiveChart(props: {
  readonly name: string;
  readonly label: string;
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
          // One value so far (a vehicle sends a field when it changes): a minute around it, where
          // uPlot's own range for a single point spans years.
          x: { time: true, range: (_u, min, max) => (min === max ? [min - 60, max + 60] : [min, max]) },
          ...(props.range ? { y: { range: props.range } } : {}),
        },
        series: [{}, { label: props.label, stroke: '#2563eb', width: 2, spanGaps: false }],
        axes: [{}, { size: 48 }],
        legend: { show: true },
      },
      props.series,
      host.current,
    );
    plot.current = chart;
    return () => chart.destroy();
  }, [props.series]);

  useEffect(() => {
    plot.current?.setData(props.series);
  }, [props.version, props.series]);

  // How many values the chart draws: what a reader (or a test) can check without the canvas.
  const drawn = props.series[1].filter((value) => value !== null).length;
  return <div class="chart" data-chart={props.name} data-values={drawn} ref={host} />;
}
