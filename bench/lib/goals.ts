import { medianOf, type ScenarioResult } from './results.ts';

/** A goal's verdict: `met` is null when a number it needs was not measured. */
export interface GoalResult {
  readonly id: string;
  readonly goal: string;
  readonly met: boolean | null;
  readonly measured: string;
}

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const ms = (x: number) => `${x.toFixed(2)} ms`;

function verdict(values: readonly number[], test: () => boolean): boolean | null {
  return values.some((v) => !Number.isFinite(v)) ? null : test();
}

/** Checks the published goals against the medians of a run. */
export function checkGoals(scenarios: readonly ScenarioResult[]): GoalResult[] {
  const find = (id: string) => scenarios.find((s) => s.id === id);
  const rate = find('small-get');
  const fixed = find('fixed-rate');
  const bulk = find('transfer');
  const idle = find('idle-tunnels');
  const relay = find('relay');
  const fleet = find('telemetry');

  const direct = medianOf(rate, 'direct', 'rps');
  const tunnel = medianOf(rate, 'gatehouse-tunnel', 'rps');
  const ssh = medianOf(rate, 'ssh-tunnel', 'rps');
  const edge = medianOf(rate, 'gatehouse-edge', 'rps');
  const nginx = medianOf(rate, 'nginx', 'rps');
  const httpProxy = medianOf(rate, 'http-proxy-3', 'rps');

  const addedP99 = medianOf(fixed, 'gatehouse-tunnel', 'p99Ms') - medianOf(fixed, 'direct', 'p99Ms');

  const up = medianOf(bulk, 'gatehouse-tunnel', 'uploadMBps') / medianOf(bulk, 'direct', 'uploadMBps');
  const down = medianOf(bulk, 'gatehouse-tunnel', 'downloadMBps') / medianOf(bulk, 'direct', 'downloadMBps');
  const rss = Math.max(
    medianOf(bulk, 'gatehouse-tunnel', 'gatewayPeakMB'),
    medianOf(bulk, 'gatehouse-tunnel', 'agentPeakMB'),
  );

  const perTunnel = medianOf(idle, 'gatehouse', 'kibPerTunnel');
  const relayAdded = medianOf(relay, 'gatehouse-relay', 'p50Ms') - medianOf(relay, 'direct', 'p50Ms');

  const telemetryRate = medianOf(fleet, 'gatehouse', 'msgPerS');
  const vehicles = medianOf(fleet, 'gatehouse', 'vehicles');
  const perVehicle = medianOf(fleet, 'gatehouse', 'kibPerVehicle');
  const ackP99 = medianOf(fleet, 'gatehouse', 'ackP99Ms');

  return [
    {
      id: 'tunnel-rate',
      goal: 'Tunnel small-request rate ≥ 50% of direct and ahead of ssh -R',
      met: verdict([tunnel, direct, ssh], () => tunnel >= 0.5 * direct && tunnel > ssh),
      measured: `${pct(tunnel / direct)} of direct; ${pct(tunnel / ssh)} of ssh -R`,
    },
    {
      id: 'tunnel-latency',
      goal: 'Tunnel p99 added latency ≤ 2 ms at 1,000 req/s',
      met: verdict([addedP99], () => addedP99 <= 2),
      measured: `+${ms(addedP99)} p99`,
    },
    {
      id: 'tunnel-transfer',
      goal: 'Upload and download through a tunnel ≥ 50% of direct, Gatehouse RSS under 150 MB',
      met: verdict([up, down, rss], () => up >= 0.5 && down >= 0.5 && rss < 150),
      measured: `upload ${pct(up)}, download ${pct(down)} of direct; peak RSS ${rss.toFixed(0)} MB`,
    },
    {
      id: 'idle-tunnel-memory',
      goal: '≤ 64 KiB of server memory per idle tunnel',
      met: verdict([perTunnel], () => perTunnel <= 64),
      measured: `${perTunnel.toFixed(1)} KiB per tunnel`,
    },
    {
      id: 'edge-rate',
      goal: 'Edge proxy ≥ 50% of nginx’s rate and ahead of http-proxy-3',
      met: verdict([edge, nginx, httpProxy], () => edge >= 0.5 * nginx && edge > httpProxy),
      measured: `${pct(edge / nginx)} of nginx; ${pct(edge / httpProxy)} of http-proxy-3`,
    },
    {
      id: 'relay-latency',
      goal: 'Relay added latency ≤ 2 ms p50',
      met: verdict([relayAdded], () => relayAdded <= 2),
      measured: `+${ms(relayAdded)} p50 over a direct call`,
    },
    {
      id: 'telemetry-rate',
      goal: 'Telemetry ≥ 20,000 messages/s decoded, acked and fanned out on one core, 1,000 vehicles',
      met: verdict([telemetryRate], () => telemetryRate >= 20_000),
      measured: `${Math.round(telemetryRate).toLocaleString('en-US')} messages/s`,
    },
    {
      id: 'telemetry-vehicles',
      goal: 'Telemetry ≥ 10,000 vehicles per node, ≤ 32 KiB per idle connection',
      met: verdict([vehicles, perVehicle], () => vehicles >= 10_000 && perVehicle <= 32),
      measured: `${vehicles.toLocaleString('en-US')} vehicles, ${perVehicle.toFixed(1)} KiB each`,
    },
    {
      id: 'telemetry-ack-latency',
      goal: 'Telemetry ack p99 ≤ 5 ms at 5,000 messages/s with reliable ack to Redis',
      met: verdict([ackP99], () => ackP99 <= 5),
      measured: `${ms(ackP99)} p99`,
    },
  ];
}
