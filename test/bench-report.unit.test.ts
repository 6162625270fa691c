import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { barChart, lineChart, seriesBySteps, shareOfDirect } from '../bench/lib/chart.ts';
import { checkGoals } from '../bench/lib/goals.ts';
import { parseHeyReport, parseWrkReport } from '../bench/lib/load.ts';
import { goalsTable, scenarioTable } from '../bench/lib/markdown.ts';
import { replaceSection } from '../bench/lib/readme.ts';
import { median, type Row, record, roundOrder, type ScenarioResult } from '../bench/lib/results.ts';

const row = (contender: string, samples: Record<string, number[]>, failures = 0): Row => ({
  contender,
  label: contender,
  samples,
  failures,
});

const scenario = (id: string, rows: Row[]): ScenarioResult => ({
  id,
  title: id,
  description: '',
  metrics: [{ key: 'rps', label: 'requests/s', unit: '', better: 'higher', vsDirect: 'ratio', digits: 0 }],
  rows,
});

describe('benchmark report', () => {
  test('median of odd and even counts; NaN for none', () => {
    assert.equal(median([3, 1, 2]), 2);
    assert.equal(median([4, 1, 3, 2]), 2.5);
    assert.ok(Number.isNaN(median([])));
  });

  test('rounds alternate direction so drift falls on every contender alike', () => {
    assert.deepEqual(roundOrder(['a', 'b', 'c'], 0), ['a', 'b', 'c']);
    assert.deepEqual(roundOrder(['a', 'b', 'c'], 1), ['c', 'b', 'a']);
  });

  test('recording keeps every round', () => {
    const r = row('x', {});
    record(r, { rps: 1 });
    record(r, { rps: 3, p50Ms: 2 });
    assert.deepEqual(r.samples, { rps: [1, 3], p50Ms: [2] });
  });

  test('wrk report: rate from requests and duration, latency in ms, non-2xx counted as failures', () => {
    const out =
      'Running 4s test\n{"requests":8000,"durationUs":4000000,"errors":1,"non2xx":2,"p50Us":1500,"p99Us":9000,"meanUs":2.0}\n';
    assert.deepEqual(parseWrkReport(out), { rps: 2000, p50Ms: 1.5, p99Ms: 9, failures: 3, requests: 8000 });
    assert.throws(() => parseWrkReport('wrk: connection refused'), /no report/);
  });

  test('hey report: percentiles, rate and failed answers', () => {
    const out = `Summary:\n  Requests/sec:\t998.5\n\nLatency distribution:\n  10% in 0.0004 secs\n  50% in 0.0012 secs\n  99% in 0.0051 secs\n\nStatus code distribution:\n  [200]\t3990 responses\n  [502]\t5 responses\n\nError distribution:\n  [3]\tGet "http://x": EOF\n`;
    const r = parseHeyReport(out);
    assert.equal(r.rps, 998.5);
    assert.equal(r.p50Ms, 1.2);
    assert.equal(r.p99Ms, 5.1);
    assert.equal(r.failures, 8);
    assert.equal(r.requests, 3998);
    assert.throws(() => parseHeyReport('Summary:\n'), /no 50th percentile/);
  });

  test('goals: each tunnel and edge figure against a peer of the same run; not measured when a number is missing', () => {
    const rate = scenario('small-get', [
      row('direct', { rps: [1000] }),
      row('gatehouse-tunnel', { rps: [600] }),
      row('ssh-tunnel', { rps: [500] }),
      row('gatehouse-edge', { rps: [400, 420] }),
      row('caddy', { rps: [380] }),
      row('http-proxy-3', { rps: [300, 360] }),
    ]);
    const goals = Object.fromEntries(checkGoals([rate]).map((g) => [g.id, g]));
    assert.equal(goals['tunnel-rate']?.met, true);
    assert.equal(goals['tunnel-rate']?.measured, '600 req/s, 120% of ssh -R’s');
    assert.equal(goals['edge-rate']?.met, false, 'the second round is only 117% of http-proxy-3’s');
    assert.equal(goals['edge-rate']?.measured, '133%, 117% of http-proxy-3’s by round; 108% of Caddy’s');
    assert.equal(goals['relay-latency']?.met, null, 'no relay scenario ran');
    assert.equal(goals['idle-tunnel-memory']?.met, null);
    assert.equal(goals['cross-node']?.met, null);
    assert.match(goals['cross-node']?.measured ?? '', /the cross-node scenario did not run/);
    const table = goalsTable(Object.values(goals));
    assert.doesNotMatch(table, /NaN/, 'a goal that was not measured shows no made-up number');
    assert.match(table, /\| Relay added latency ≤ 2 ms p50 \| — \| not measured \|/);
  });

  test('edge goal: a missing round gives no verdict rather than pairing rounds wrongly', () => {
    const rate = scenario('small-get', [
      row('gatehouse-edge', { rps: [400, 420] }),
      row('caddy', { rps: [380] }),
      row('http-proxy-3', { rps: [300] }),
    ]);
    assert.equal(checkGoals([rate]).find((g) => g.id === 'edge-rate')?.met, null);
  });

  test('tunnel goals: added p99 against ssh -R’s and 1 ms; transfer against ssh -R’s with RSS growth', () => {
    const fixed = scenario('fixed-rate', [
      row('direct', { p99Ms: [0.2] }),
      row('gatehouse-tunnel', { p99Ms: [0.9] }),
      row('ssh-tunnel', { p99Ms: [1.0] }),
    ]);
    const bulk = scenario('transfer', [
      row('gatehouse-tunnel', {
        uploadMBps: [700],
        downloadMBps: [800],
        gatewayGrowthMB: [70],
        agentGrowthMB: [10],
      }),
      row('ssh-tunnel', { uploadMBps: [600], downloadMBps: [700] }),
    ]);
    const goals = Object.fromEntries(checkGoals([fixed, bulk]).map((g) => [g.id, g]));
    assert.equal(goals['tunnel-latency']?.met, true, '+0.7 ms is under ssh -R’s +0.8 ms and under 1 ms');
    assert.equal(goals['tunnel-transfer']?.met, false, 'the gateway grew by 70 MB, over 64 MB');
    assert.equal(
      goals['tunnel-transfer']?.measured,
      'upload 117%, download 114% of ssh -R’s; growth: gateway 70 MB, agent 10 MB',
    );
  });

  test('idle-tunnel goals: memory at the last step; the 10,000 goal has no verdict below 10,000', () => {
    const idle = (tunnels: number) =>
      scenario('idle-tunnels', [
        row('gatehouse', {
          tunnels: [tunnels],
          kibPerTunnel: [30],
          connectS: [4],
          rssMB_1: [100],
          [`rssMB_${tunnels}`]: [400],
        }),
      ]);
    const quick = Object.fromEntries(checkGoals([idle(1000)]).map((g) => [g.id, g]));
    assert.equal(quick['idle-tunnel-memory']?.met, true);
    assert.equal(quick['idle-tunnel-count']?.met, null);
    assert.equal(
      quick['idle-tunnel-count']?.measured,
      'only 1,000 tried (4.00 s); the full run tries 10,000',
    );
    const full = Object.fromEntries(checkGoals([idle(10_000)]).map((g) => [g.id, g]));
    assert.equal(full['idle-tunnel-count']?.met, true);
    assert.equal(full['idle-tunnel-count']?.measured, '10,000 connected in 4.00 s');
    const stalled = scenario('idle-tunnels', [row('gatehouse', { rssMB_1: [100], incomplete: [1] })]);
    assert.equal(
      checkGoals([stalled]).find((g) => g.id === 'idle-tunnel-count')?.met,
      false,
      'a step that timed out is a miss, not a missing number',
    );
  });

  test('table: median with the spread over rounds and the share of direct; unavailable paths say why', () => {
    const table = scenarioTable(
      scenario('small-get', [
        row('direct', { rps: [1000, 1200, 1100] }),
        row('nginx', { rps: [550, 550] }, 2),
        { ...row('caddy', {}), unavailable: 'not installed' },
      ]),
    );
    const lines = table.split('\n');
    assert.equal(lines[2], '| direct | 1,100 <sub>1,000–1,200</sub> |');
    assert.equal(lines[3], '| nginx ⚠ 2 failed | 550 (50%) |');
    assert.equal(lines[4], '| caddy | not run: not installed |');
  });

  test('chart: one bar group per path other than direct, unmeasured values marked', () => {
    const rate = scenario('small-get', [row('direct', { rps: [1000] }), row('nginx', { rps: [500] })]);
    const series = shareOfDirect(
      [rate],
      [
        { id: 'direct', label: 'direct' },
        { id: 'nginx', label: 'nginx' },
      ],
    );
    assert.deepEqual(series, [{ label: 'nginx', values: [0.5, null, null] }]);
    const svg = barChart('t <&>', series);
    assert.match(svg, /^<svg /);
    assert.match(svg, />50%</);
    assert.match(svg, /not measured/);
    assert.match(svg, /t &lt;&amp;>/);
  });

  test('line chart: a log x axis, one line per measured path, a gap where a value is missing', () => {
    const growth = scenario('connections', [
      row('direct', { rps_1: [100], rps_16: [1000] }),
      row('gatehouse-tunnel', { rps_1: [50] }),
      { ...row('localtunnel', {}), unavailable: 'did not start' },
    ]);
    const series = seriesBySteps(
      growth,
      [
        { id: 'direct', label: 'direct' },
        { id: 'gatehouse-tunnel', label: 'tunnel' },
        { id: 'localtunnel', label: 'localtunnel' },
      ],
      [1, 16],
      (n) => `rps_${n}`,
    );
    assert.deepEqual(series, [
      { label: 'direct', values: [100, 1000] },
      { label: 'tunnel', values: [50, null] },
    ]);
    const svg = lineChart({ title: 'rate <&>', xLabel: 'connections', yLabel: 'req/s', xs: [1, 16], series });
    assert.match(svg, /^<svg /);
    assert.match(svg, /rate &lt;&amp;>/);
    assert.equal(svg.match(/<path /g)?.length, 2, 'a line of two points and a lone point');
    assert.equal(svg.match(/<circle /g)?.length, 3);
    assert.doesNotMatch(svg, /NaN/);
  });

  test('the performance page: replaced between the markers, and a missing marker is an error', () => {
    const readme = 'intro\n<!-- bench:start -->\nold\n<!-- bench:end -->\nrest\n';
    assert.equal(
      replaceSection(readme, 'new\n'),
      'intro\n<!-- bench:start -->\nnew\n<!-- bench:end -->\nrest\n',
    );
    assert.throws(() => replaceSection('no markers', 'x'), /bench:start/);
  });

  test('telemetry goals: rate, vehicles with memory each, and ack p99 from the telemetry scenario', () => {
    const fleet = scenario('telemetry', [
      row('gatehouse', { msgPerS: [25_000], vehicles: [10_000], kibPerVehicle: [40], ackP99Ms: [3] }),
    ]);
    const goals = Object.fromEntries(checkGoals([fleet]).map((g) => [g.id, g]));
    assert.equal(goals['telemetry-rate']?.met, true);
    assert.equal(goals['telemetry-rate']?.measured, '25,000 messages/s');
    assert.equal(goals['telemetry-vehicles']?.met, false, '40 KiB is over the 32 KiB allowed');
    assert.equal(goals['telemetry-ack-latency']?.met, true);
    assert.equal(checkGoals([]).find((g) => g.id === 'telemetry-rate')?.met, null);
  });

  test('request recording goal: the median of the rounds’ serving-thread CPU ratios, met at 95% or more', () => {
    const cost = (mainOn: number[]) =>
      checkGoals([
        scenario('request-log', [
          row('recording-off', {
            rps: [10_000, 10_000, 10_000],
            mainCpuUs: [100, 100, 100],
            cpuUs: [110, 110, 110],
          }),
          row('recording-on', { rps: [9_000, 11_000, 9_500], mainCpuUs: mainOn, cpuUs: [115, 118, 113] }),
        ]),
      ]).find((g) => g.id === 'request-log-cost');
    assert.equal(cost([104, 110, 98])?.met, true, 'a median of 100/104: 96%');
    assert.equal(
      cost([104, 110, 98])?.measured,
      'the serving thread spends 100.0 µs a request with recording off, 104.0 µs with it on: 96% of the rate it allows ' +
        '(by round: 96%, 91%, 102%); all threads 110.0 µs → 115.0 µs (+5%); measured rate with it on 95% of off ' +
        '(by round: 90%, 110%, 95%)',
    );
    assert.equal(cost([107, 110, 98])?.met, false, 'a median of 100/107: 93%');
    assert.equal(cost([104])?.met, null, 'rounds missing');
    assert.equal(checkGoals([]).find((g) => g.id === 'request-log-cost')?.met, null);
  });
});
