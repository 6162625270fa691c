import { medianOf, type ScenarioResult } from './results.ts';

/** A goal's verdict: `met` is null when a number it needs was not measured. */
export interface GoalResult {
  readonly id: string;
  readonly goal: string;
  readonly met: boolean | null;
  /** What was measured; when `met` is null, why there is no verdict (or empty). */
  readonly measured: string;
}

/** Tunnels the idle-tunnel goal asks one node to hold. */
export const IDLE_TUNNEL_GOAL = 10_000;

const pct = (x: number) => `${(x * 100).toFixed(0)}%`;
const signedPct = (x: number) => `${x >= 0 ? '+' : '−'}${pct(Math.abs(x))}`;
const ms = (x: number) => `${x.toFixed(2)} ms`;
const mb = (x: number) => `${x.toFixed(0)} MB`;
const signed = (x: number) => `${x >= 0 ? '+' : '−'}${ms(Math.abs(x))}`;
const count = (x: number) => x.toLocaleString('en-US');

/**
 * One goal line. When any of `values` was not measured there is no verdict, and the line says
 * `unmeasured` (or nothing) instead of a number made up of NaNs.
 */
function goal(
  id: string,
  text: string,
  values: readonly number[],
  test: () => boolean,
  measured: () => string,
  unmeasured = '',
): GoalResult {
  return values.every(Number.isFinite)
    ? { id, goal: text, met: test(), measured: measured() }
    : { id, goal: text, met: null, measured: unmeasured };
}

/** Each round's value of `a` divided by the same round's value of `b`; empty when a round is missing. */
function roundRatios(scenario: ScenarioResult | undefined, a: string, b: string, key: string): number[] {
  const samples = (id: string) => scenario?.rows.find((r) => r.contender === id)?.samples[key] ?? [];
  const [x, y] = [samples(a), samples(b)];
  return x.length > 0 && x.length === y.length ? x.map((v, i) => v / y[i]!) : [];
}

/** The median of a list of numbers. */
function medianOfList(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Checks the published goals against a run: each tunnel and edge figure against a peer of the same run. */
export function checkGoals(scenarios: readonly ScenarioResult[]): GoalResult[] {
  const find = (id: string) => scenarios.find((s) => s.id === id);
  const rate = find('small-get');
  const fixed = find('fixed-rate');
  const bulk = find('transfer');
  const idle = find('idle-tunnels');
  const growth = find('connections');
  const crossNode = find('cross-node');
  const relay = find('relay');
  const fleet = find('telemetry');
  const recording = find('request-log');

  const tunnel = medianOf(rate, 'gatehouse-tunnel', 'rps');
  const ssh = medianOf(rate, 'ssh-tunnel', 'rps');
  const edge = medianOf(rate, 'gatehouse-edge', 'rps');
  const caddy = medianOf(rate, 'caddy', 'rps');
  const edgeOverProxy = roundRatios(rate, 'gatehouse-edge', 'http-proxy-3', 'rps');
  const lowestOverProxy = edgeOverProxy.length > 0 ? Math.min(...edgeOverProxy) : Number.NaN;

  const added = (id: string) => medianOf(fixed, id, 'p99Ms') - medianOf(fixed, 'direct', 'p99Ms');
  const tunnelP99 = added('gatehouse-tunnel');
  const sshP99 = added('ssh-tunnel');

  const up = medianOf(bulk, 'gatehouse-tunnel', 'uploadMBps');
  const down = medianOf(bulk, 'gatehouse-tunnel', 'downloadMBps');
  const sshUp = medianOf(bulk, 'ssh-tunnel', 'uploadMBps');
  const sshDown = medianOf(bulk, 'ssh-tunnel', 'downloadMBps');
  const gatewayGrowth = medianOf(bulk, 'gatehouse-tunnel', 'gatewayGrowthMB');
  const agentGrowth = medianOf(bulk, 'gatehouse-tunnel', 'agentGrowthMB');

  const perTunnel = medianOf(idle, 'gatehouse', 'kibPerTunnel');
  const idleCount = medianOf(idle, 'gatehouse', 'tunnels');
  const connectS = medianOf(idle, 'gatehouse', 'connectS');
  const idleIncomplete =
    (idle?.rows.find((r) => r.contender === 'gatehouse')?.samples['incomplete'] ?? []).length > 0;
  const idleCountGoal = `${count(IDLE_TUNNEL_GOAL)} idle tunnels on one node, all connected in ≤ 10 s`;

  const rateAt = (connections: number) => medianOf(growth, 'gatehouse-tunnel', `rps_${connections}`);
  const rssAt = (tunnels: number) => medianOf(idle, 'gatehouse', `rssMB_${tunnels}`);

  const nodeA = medianOf(crossNode, 'node-a', 'p50Ms');
  const nodeB = medianOf(crossNode, 'node-b', 'p50Ms');

  const relayAdded = medianOf(relay, 'gatehouse-relay', 'p50Ms') - medianOf(relay, 'direct', 'p50Ms');

  const telemetryRate = medianOf(fleet, 'gatehouse', 'msgPerS');
  const vehicles = medianOf(fleet, 'gatehouse', 'vehicles');
  const perVehicle = medianOf(fleet, 'gatehouse', 'kibPerVehicle');
  const ackP99 = medianOf(fleet, 'gatehouse', 'ackP99Ms');

  // The edge serves on one thread: the rate it can reach is the inverse of that thread's CPU time
  // per request, so the goal compares those, round by round; measured rates move with the machine.
  const servingShare = roundRatios(recording, 'recording-off', 'recording-on', 'mainCpuUs');
  const recordingShare = servingShare.length > 0 ? medianOfList(servingShare) : Number.NaN;
  const measuredShare = roundRatios(recording, 'recording-on', 'recording-off', 'rps');
  const allThreads = roundRatios(recording, 'recording-on', 'recording-off', 'cpuUs');
  const us = (id: string, key: string) => `${medianOf(recording, id, key).toFixed(1)} µs`;

  return [
    goal(
      'tunnel-rate',
      'Tunnel small-GET rate at 64 connections ≥ ssh -R’s',
      [tunnel, ssh],
      () => tunnel >= ssh,
      () => `${count(Math.round(tunnel))} req/s, ${pct(tunnel / ssh)} of ssh -R’s`,
    ),
    goal(
      'tunnel-latency',
      'Tunnel p99 added latency at 1,000 req/s ≤ ssh -R’s added p99, and ≤ 1 ms',
      [tunnelP99, sshP99],
      () => tunnelP99 <= sshP99 && tunnelP99 <= 1,
      () => `${signed(tunnelP99)} p99 (ssh -R ${signed(sshP99)})`,
    ),
    goal(
      'tunnel-transfer',
      'Upload and download through a tunnel (256 MiB; 64 MiB quick) each ≥ ssh -R’s; gateway and agent peak RSS growth ≤ 64 MB',
      [up, down, sshUp, sshDown, gatewayGrowth, agentGrowth],
      () => up >= sshUp && down >= sshDown && gatewayGrowth <= 64 && agentGrowth <= 64,
      () =>
        `upload ${pct(up / sshUp)}, download ${pct(down / sshDown)} of ssh -R’s; growth: gateway ${mb(gatewayGrowth)}, agent ${mb(agentGrowth)}`,
    ),
    goal(
      'idle-tunnel-memory',
      'Server memory per idle tunnel ≤ 32 KiB',
      [perTunnel, idleCount],
      () => perTunnel <= 32,
      () => `${perTunnel.toFixed(1)} KiB per tunnel (at ${count(idleCount)} tunnels)`,
    ),
    idleIncomplete
      ? {
          id: 'idle-tunnel-count',
          goal: idleCountGoal,
          met: false,
          measured: 'not all connected: a step timed out (see the idle-tunnel table)',
        }
      : goal(
          'idle-tunnel-count',
          idleCountGoal,
          [connectS, idleCount >= IDLE_TUNNEL_GOAL ? idleCount : Number.NaN],
          () => connectS <= 10,
          () => `${count(idleCount)} connected in ${connectS.toFixed(2)} s`,
          Number.isFinite(connectS)
            ? `only ${count(idleCount)} tried (${connectS.toFixed(2)} s); the full run tries ${count(IDLE_TUNNEL_GOAL)}`
            : '',
        ),
    goal(
      'edge-rate',
      'Edge proxy small-GET rate ≥ 120% of http-proxy-3’s in every round, and ≥ Caddy’s',
      [lowestOverProxy, edge, caddy],
      () => lowestOverProxy >= 1.2 && edge >= caddy,
      () =>
        `${edgeOverProxy.map(pct).join(', ')} of http-proxy-3’s by round; ${pct(edge / caddy)} of Caddy’s`,
    ),
    goal(
      'cross-node',
      'A request to node B for a tunnel held by node A: added p50 ≤ 1 ms over the same request at node A',
      [nodeA, nodeB],
      () => nodeB - nodeA <= 1,
      () => `${signed(nodeB - nodeA)} p50 (node A ${ms(nodeA)}, node B ${ms(nodeB)})`,
      'the cross-node scenario did not run (`--only cross-node`)',
    ),
    goal(
      'cost-growth',
      `Cost growth plotted: tunnel rate at 1, 16, 64, 256 connections; server RSS at 1 to ${count(IDLE_TUNNEL_GOAL)} idle tunnels`,
      [rateAt(1), rateAt(256), rssAt(1), rssAt(IDLE_TUNNEL_GOAL)],
      () => true,
      () =>
        `${count(Math.round(rateAt(1)))} → ${count(Math.round(rateAt(256)))} req/s; ${mb(rssAt(1))} → ${mb(rssAt(IDLE_TUNNEL_GOAL))}`,
      Number.isFinite(rateAt(1)) && Number.isFinite(idleCount)
        ? `plotted up to ${count(idleCount)} tunnels; the full run goes to ${count(IDLE_TUNNEL_GOAL)}`
        : '',
    ),
    goal(
      'relay-latency',
      'Relay added latency ≤ 2 ms p50',
      [relayAdded],
      () => relayAdded <= 2,
      () => `+${ms(relayAdded)} p50 over a direct call`,
    ),
    goal(
      'request-log-cost',
      'Request recording costs ≤ 5% of the edge’s small-request rate',
      [recordingShare],
      () => recordingShare >= 0.95,
      () =>
        `the serving thread spends ${us('recording-off', 'mainCpuUs')} a request with recording off, ` +
        `${us('recording-on', 'mainCpuUs')} with it on: ${pct(recordingShare)} of the rate it allows ` +
        `(by round: ${servingShare.map(pct).join(', ')}); all threads ${us('recording-off', 'cpuUs')} → ` +
        `${us('recording-on', 'cpuUs')} (${signedPct(medianOfList(allThreads) - 1)}); measured rate with it on ` +
        `${pct(medianOfList(measuredShare))} of off (by round: ${measuredShare.map(pct).join(', ')})`,
      'the request-log scenario did not run (`--only request-log`)',
    ),
    goal(
      'telemetry-rate',
      'Telemetry ≥ 20,000 messages/s decoded, acked and fanned out on one core, 1,000 vehicles',
      [telemetryRate],
      () => telemetryRate >= 20_000,
      () => `${count(Math.round(telemetryRate))} messages/s`,
    ),
    goal(
      'telemetry-vehicles',
      'Telemetry ≥ 10,000 vehicles per node, ≤ 32 KiB per idle connection',
      [vehicles, perVehicle],
      () => vehicles >= 10_000 && perVehicle <= 32,
      () => `${count(vehicles)} vehicles, ${perVehicle.toFixed(1)} KiB each`,
    ),
    goal(
      'telemetry-ack-latency',
      'Telemetry ack p99 ≤ 5 ms at 5,000 messages/s with reliable ack to Redis',
      [ackP99],
      () => ackP99 <= 5,
      () => `${ms(ackP99)} p99`,
    ),
  ];
}
