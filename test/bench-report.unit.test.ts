import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { barChart, shareOfDirect } from '../bench/lib/chart.ts';
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

  test('goals: met, missed, and not measured when a number is missing', () => {
    const rate = scenario('small-get', [
      row('direct', { rps: [1000] }),
      row('gatehouse-tunnel', { rps: [600] }),
      row('ssh-tunnel', { rps: [500] }),
      row('gatehouse-edge', { rps: [400] }),
      row('nginx', { rps: [1000] }),
      row('http-proxy-3', { rps: [300] }),
    ]);
    const goals = Object.fromEntries(checkGoals([rate]).map((g) => [g.id, g]));
    assert.equal(goals['tunnel-rate']?.met, true);
    assert.equal(goals['tunnel-rate']?.measured, '60% of direct; 120% of ssh -R');
    assert.equal(goals['edge-rate']?.met, false, '400 is under half of nginx’s 1000');
    assert.equal(goals['relay-latency']?.met, null, 'no relay scenario ran');
    assert.equal(goals['idle-tunnel-memory']?.met, null);
    const table = goalsTable(Object.values(goals));
    assert.doesNotMatch(table, /NaN/, 'a goal that was not measured shows no made-up number');
    assert.match(table, /\| Relay added latency ≤ 2 ms p50 \| — \| not measured \|/);
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
});
