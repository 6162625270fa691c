import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { systemClock } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';
import { createLogger, LOG_LEVELS, type LogLevel } from '../../core/logger.ts';
import { parseResolve } from '../../fleet/hosted-key.ts';
import { parseVehicleCount, withExtraVehicles } from '../../simulator/extra-vehicles.ts';
import { defaultSeed, parseSeed, REGIONS, type Seed, withStringValues } from '../../simulator/seed.ts';
import { type Simulator, startSimulator } from '../../simulator/simulator.ts';
import { loadVehicleCa } from '../../simulator/vehicle-ca.ts';
import { virtualVehicles } from '../../simulator/vehicles/virtual-fleet.ts';
import type { Command } from '../command-table.ts';
import { defineCommand } from '../define-command.ts';
import { untilStopSignal } from '../stop-signal.ts';

/** `gatehouse fleet simulate --help`. */
const SIMULATE = defineCommand({
  usage: `Usage: gatehouse fleet simulate [options]`,
  about: `Runs a simulator of Tesla's cloud on one port: the OAuth server (sign-in pages and token endpoint),
the Fleet API of each region (na, eu, cn), a virtual-key pairing page and a control API, built to
Tesla's documented behaviour. Point the kit at it with TESLA_SIMULATOR={url}, which stands for
TESLA_AUTH_URL={url}/oauth2/v3 and the region's base URL {url}/na. Vehicles given a signed
telemetry configuration stream to its server (mTLS, Tesla's wire format, certificates from the
simulator's CA). Runs until Ctrl-C or SIGTERM.`,
  options: [
    {
      heading: 'Options',
      options: [
        { usage: '--port N', does: 'Port to listen on (default 4400; 0 takes a free one)' },
        {
          usage: '--host ADDR',
          does: 'Address to listen on (default 127.0.0.1; the control API has no login)',
        },
        {
          usage: '--seed FILE',
          does: 'Apps, accounts and vehicles (YAML or JSON); a built-in seed without it',
        },
        {
          usage: '--vehicles N',
          does: "Add N vehicles to the seed's first account, online and paired with its apps' domains (VINs from 5YJ3E7EB?NF200001)",
        },
        {
          usage: '--string-values',
          does: 'Vehicles run firmware from before August 2025: numbers and booleans as strings unless a configuration sets prefer_typed (typed without it, as Tesla sends now)',
        },
        { usage: '--data DIR', does: "Keeps the vehicles' CA across runs (default ./.gatehouse/simulator)" },
        {
          usage: '--resolve HOST[:PORT]=ADDR:PORT',
          does: "Connect to ADDR:PORT for HOST (only its PORT when given): partner domains' hosted keys, vehicles' telemetry servers (repeatable)",
          repeatable: true,
        },
        {
          usage: '--trust CA.pem',
          does: "Trust this CA for partner domains' HTTPS (repeatable)",
          repeatable: true,
        },
        { usage: '--print-ca', does: "Print the simulator's CA certificate (PEM) and exit" },
        {
          usage: '--issue-cert HOSTS',
          does: "Write a server certificate for these comma-separated hosts, signed by the simulator's CA (which it trusts), to --out DIR, and exit",
        },
        { usage: '--out DIR', does: 'Where --issue-cert writes HOST.pem and HOST.key (default .)' },
        { usage: '--log-level LEVEL', does: 'fatal, error, warn, info (default), debug, trace or silent' },
        { usage: '-h, --help', does: 'Show this help' },
      ],
    },
  ],
  footer: `Control API (not Tesla's): GET /sim/state, POST /sim/vehicles/VIN {"state":"online|asleep|offline"},
POST /sim/vehicles/VIN/pair {"domain"}, POST /sim/vehicles/VIN/certificate, GET /sim/ca.pem,
GET /sim/vehicles/VIN/stream (telemetry: connected, sent, acked, pending, last error).`,
});

/** `gatehouse fleet simulate --help`. */
export const SIMULATE_HELP = SIMULATE.help;

/** What a newcomer needs to use the simulator, for stderr; `extra` are the `--vehicles` VINs. */
export function simulatorBanner(sim: Simulator, seed: Seed, extra: readonly string[] = []): string {
  const added = new Set(extra);
  const lines = [
    `Tesla cloud simulator at ${sim.url}`,
    `  auth (TESLA_AUTH_URL)  ${sim.authBaseUrl}   (authorize, token)`,
    ...REGIONS.map((r) => `  fleet API ${r}          ${sim.regionBaseUrl(r)}`),
    `  control API           ${sim.url}/sim/state`,
    '',
    'Apps (client id / secret; it is a simulator):',
    ...seed.apps.map(
      (a) =>
        `  ${a.client_id} / ${a.client_secret}  redirect URIs: ${a.redirect_uris.join(' ') || 'none'}  allowed origins: ${a.allowed_origins.join(' ') || 'none'}`,
    ),
    '',
    'Accounts (email / password):',
    ...seed.accounts.flatMap((account) => [
      `  ${account.email} / ${account.password}  region ${account.region}`,
      ...account.vehicles
        .filter((v) => !added.has(v.vin))
        .map((v) => {
          const paired = v.paired_domains.length ? `paired: ${v.paired_domains.join(', ')}` : 'no key paired';
          const values = v.string_values ? '  string values' : '';
          return `    ${v.vin}  ${v.display_name}  ${v.state}  firmware ${v.firmware}  ${paired}${values}`;
        }),
      ...(account === seed.accounts[0] && extra.length > 0
        ? [
            `    + ${extra.length} fleet vehicle${extra.length === 1 ? '' : 's'} ${extra[0]}${extra.length > 1 ? ` … ${extra.at(-1)}` : ''}  online  paired: ${[...new Set(seed.apps.flatMap((a) => a.allowed_origins))].join(', ') || 'none'}${account.vehicles.at(-1)?.string_values ? '  string values' : ''}`,
          ]
        : []),
    ]),
    '',
    `Pair a domain's key as the owner would: ${sim.url}/_ak/<domain>`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Runs `gatehouse fleet simulate`; resolves with the exit code. */
export async function simulateCommand(argv: string[]): Promise<number> {
  const { values, positionals } = SIMULATE.parse(argv);
  if (values.help) {
    process.stdout.write(SIMULATE_HELP);
    return 0;
  }
  if (positionals.length > 0)
    throw new GatehouseError(
      'SIM_OPTION_INVALID',
      `unexpected argument '${positionals[0]}': gatehouse fleet simulate takes only options`,
    );
  const dataDir = resolvePath(values.data ?? '.gatehouse/simulator');
  if (values['print-ca']) {
    process.stdout.write((await loadVehicleCa(dataDir, systemClock)).certPem);
    return 0;
  }
  if (values['issue-cert'] !== undefined) {
    return issueCertificate(dataDir, values['issue-cert'], values.out ?? '.');
  }
  const port = Number(values.port ?? 4400);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new GatehouseError(
      'SIM_OPTION_INVALID',
      `--port ${values.port}: give a port number from 0 to 65535`,
    );
  }
  const level = (values['log-level'] ?? 'info') as LogLevel;
  if (!LOG_LEVELS.includes(level)) {
    throw new GatehouseError(
      'SIM_OPTION_INVALID',
      `--log-level ${level}: use one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  const seeded = values.seed ? parseSeed(readFile(values.seed, '--seed'), values.seed) : defaultSeed();
  const extended = withExtraVehicles(seeded, parseVehicleCount(values.vehicles ?? '0'));
  const seed = values['string-values'] ? withStringValues(extended.seed) : extended.seed;
  const extraVins = extended.vins;
  const trust = (values.trust ?? []).map((file) => readFile(file, '--trust'));
  const logger = createLogger(level);
  const sim = await startSimulator({
    port,
    host: values.host,
    seed,
    resolve: parseResolve(values.resolve ?? []),
    trust,
    dataDir,
    logger,
    streams: virtualVehicles({ realTimers: true }),
  }).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      throw new GatehouseError(
        'SIM_OPTION_INVALID',
        `cannot listen on ${values.host ?? '127.0.0.1'}:${port} (${code}); pick another --port or --host`,
        { cause: error },
      );
    }
    throw error;
  });
  const signalled = untilStopSignal();
  process.stderr.write(simulatorBanner(sim, seed, extraVins));
  const host = values.host ?? '127.0.0.1';
  if (!/^(127\.|::1$|localhost$)/.test(host)) {
    // The control API has no login and hands out vehicle certificates with their keys.
    process.stderr.write(
      `\nWarning: listening on ${host}, beyond this machine: anyone who reaches it can use the control API (/sim), which has no login. Use it on trusted networks only.\n`,
    );
  }
  await signalled;
  await sim.stop();
  return 0;
}

/** `--issue-cert`: a server certificate from the simulator's CA, for serving a local domain over HTTPS. */
async function issueCertificate(dataDir: string, hostList: string, out: string): Promise<number> {
  const hosts = hostList
    .split(',')
    .map((h) => h.trim())
    .filter(Boolean);
  const ca = await loadVehicleCa(dataDir, systemClock);
  const issued = await ca.issueServerCertificate(hosts);
  const base = join(out, hosts[0] ?? 'server');
  mkdirSync(out, { recursive: true });
  for (const [path, text, mode] of [
    [`${base}.pem`, issued.certPem, 0o644],
    [`${base}.key`, issued.keyPem, 0o600],
  ] as const) {
    try {
      writeFileSync(path, text, { flag: 'wx', mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      throw new GatehouseError(
        'SIM_OPTION_INVALID',
        `${path} exists already; remove it or choose another --out`,
      );
    }
  }
  process.stderr.write(
    `Wrote ${base}.pem and ${base}.key for ${hosts.join(', ')}, signed by the simulator's CA in ${dataDir}.\n` +
      `Serve them with: gatehouse serve --tls-cert ${base}.pem --tls-key ${base}.key\n`,
  );
  return 0;
}

function readFile(path: string, option: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new GatehouseError(
      'SIM_OPTION_INVALID',
      `${option} ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'not readable' : String(code)}`,
      { cause: error },
    );
  }
}

/** The `simulate` entry of `gatehouse fleet`. */
export const simulateSubcommand: Command = {
  help: SIMULATE_HELP,
  run: simulateCommand,
};
