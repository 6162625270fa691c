import { systemClock } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';
import { checkCaChain } from '../../fleet/ca-check.ts';
import { requireSigningKey } from '../../fleet/keys.ts';
import { pairLink, requireDomain } from '../../fleet/pair-link.ts';
import { signSs256Jws } from '../../fleet/ss256.ts';
import {
  type CheckedTelemetryConfig,
  telemetryConfigFromFlags,
  telemetryConfigFromJson,
} from '../../fleet/telemetry-config.ts';
import {
  describeConfigAnswer,
  describeTelemetryErrors,
  describeUpdate,
  explainTelemetryError,
  skippedCount,
} from '../../fleet/telemetry-report.ts';
import type { Command } from '../command-table.ts';
import { defineCommand } from '../define-command.ts';
import {
  keySettings,
  oneVin,
  readTextFile,
  resolveMap,
  runFleet,
  say,
  sayJson,
  usage,
  vinList,
  warn,
} from './fleet-cli.ts';
import { fleetApiOf, settingsOf, TESLA_ACCESS_HELP } from './tesla-access.ts';

/** `gatehouse fleet telemetry-config --help`. */
const TELEMETRY_CONFIG = defineCommand({
  usage: `Usage: gatehouse fleet telemetry-config sign   <config options>
       gatehouse fleet telemetry-config send   --vins V1,V2 <config options> [options]
       gatehouse fleet telemetry-config get    VIN [options]
       gatehouse fleet telemetry-config delete VIN [options]
       gatehouse fleet telemetry-config errors [VIN] [options]`,
  about: `Signed telemetry configurations (Tesla.SS256, made here: no Go proxy needed). 'sign' prints the
token; 'send' first connects to the telemetry server and verifies its certificate chain against
ca the way a vehicle does, then signs and posts it to fleet_telemetry_config_jws. Bad keys, bad
configurations and a chain a vehicle would refuse are refused before anything is sent.`,
  options: [
    {
      heading: 'Configuration',
      options: [
        { usage: '--hostname HOST', does: 'The telemetry server vehicles connect to' },
        { usage: '--port N', does: 'Its port (default 443)' },
        { usage: '--ca FILE', does: "PEM chain of the server's certificate, up to the root" },
        {
          usage: '--fields FILE|JSON',
          does: '{"Soc":60} (seconds) or Tesla\'s form',
          env: 'TELEMETRY_FIELDS',
        },
        { usage: '--alert-types LIST', does: 'service, customer or both' },
        { usage: '--exp WHEN', does: 'Unix time or a duration like 30d (default 365d)' },
        {
          usage: '--prefer-typed',
          does: 'Ask for typed values, which vehicles send anyway since August 2025 (--no-prefer-typed: strings from older firmware)',
        },
        { usage: '--config FILE', does: "Tesla's configuration JSON instead of the flags above" },
      ],
    },
    {
      heading: 'Options',
      options: [
        { usage: '--fleet-key FILE', does: 'The signing key (private)', env: 'TESLA_PRIVATE_KEY' },
        { usage: '--vins V1,V2', does: 'Vehicles to configure (send)', env: 'VEHICLE_IDS' },
        {
          usage: '--resolve host[:port]=addr:port',
          does: 'Where the ca check connects for host (repeatable)',
          repeatable: true,
        },
        { usage: '--skip-ca-check', does: 'Send without checking the chain (server not up yet)' },
        { usage: '--domain DOMAIN', does: 'Your domain, for the pairing link in messages' },
        {
          usage: '--token TOKEN',
          does: 'A user token instead of the partner token',
          env: 'TESLA_ACCESS_TOKEN',
        },
        ...TESLA_ACCESS_HELP,
      ],
    },
  ],
  allowNegative: true,
});

/** `TELEMETRY_CONFIG_HELP`. */
export const TELEMETRY_CONFIG_HELP = TELEMETRY_CONFIG.help;

const CONFIG_FLAGS = ['hostname', 'port', 'ca', 'fields', 'alert-types', 'exp', 'prefer-typed'] as const;

type Values = Record<string, string | boolean | string[] | undefined>;
const text = (values: Values, name: string) => values[name] as string | undefined;

/** The configuration from `--config` or the separate flags (files and TELEMETRY_FIELDS read here). */
function configOf(values: Values, nowMs: number): CheckedTelemetryConfig {
  const path = text(values, 'config');
  if (path) {
    const both = CONFIG_FLAGS.filter((flag) => values[flag] !== undefined);
    if (both.length)
      throw usage(`--config holds the whole configuration; drop --${both.join(', --')} or --config`);
    return telemetryConfigFromJson(readTextFile(path, '--config'), path, nowMs);
  }
  const fieldsFlag = text(values, 'fields');
  const fieldsText = fieldsFlag ?? (process.env['TELEMETRY_FIELDS'] || undefined);
  const fieldsSource = fieldsFlag === undefined ? 'TELEMETRY_FIELDS' : '--fields';
  const caFile = text(values, 'ca');
  return telemetryConfigFromFlags(
    {
      hostname: text(values, 'hostname'),
      port: text(values, 'port'),
      ca: caFile ? { pem: readTextFile(caFile, '--ca'), source: `--ca ${caFile}` } : undefined,
      fields:
        fieldsText === undefined
          ? undefined
          : fieldsText.trim().startsWith('{')
            ? { text: fieldsText, source: fieldsSource }
            : { text: readTextFile(fieldsText, fieldsSource), source: `${fieldsSource} ${fieldsText}` },
      alertTypes: text(values, 'alert-types'),
      exp: text(values, 'exp'),
      preferTyped: values['prefer-typed'] as boolean | undefined,
    },
    nowMs,
  );
}

async function telemetryConfig(argv: string[]): Promise<number> {
  const { values, positionals } = TELEMETRY_CONFIG.parse(argv);
  const [action, argument, extra] = positionals;
  if (values.help || !action) {
    process.stdout.write(TELEMETRY_CONFIG_HELP);
    return values.help ? 0 : 2;
  }
  const name = `telemetry-config ${action}`;
  if (extra !== undefined || (argument !== undefined && (action === 'sign' || action === 'send'))) {
    throw usage(`unexpected argument '${extra ?? argument}'`);
  }
  const settings = () => settingsOf(values);
  const pairUrl = () =>
    values.domain ? pairLink(requireDomain(values.domain), settings().simulator) : undefined;

  if (action === 'sign' || action === 'send') {
    const { config, warnings } = configOf(values, systemClock());
    const key = requireSigningKey(keySettings(values['fleet-key'], process.env));
    const vins = action === 'send' ? vinList(values.vins, process.env) : [];
    for (const warning of warnings) warn(name, warning);
    if (action === 'sign') {
      say(signSs256Jws(key, config));
      return 0;
    }
    if (values['skip-ca-check']) {
      warn(
        name,
        `NOT checking the certificate chain of ${config.hostname}:${config.port} (--skip-ca-check). If ca is wrong, vehicles will accept the configuration and then never connect; check it once the server is up.`,
      );
    } else {
      const check = await checkCaChain({
        hostname: config.hostname,
        port: config.port,
        ca: config.ca,
        resolve: resolveMap(values.resolve),
      });
      if (check.problem) {
        throw new GatehouseError(
          'FLEET_CA_CHAIN_INVALID',
          `not sending: a vehicle would not trust ${check.target} with this ca: ${check.problem.message} [${check.problem.code}]`,
        );
      }
      if (!values.json)
        say(`✓ ${check.target} serves a chain ca verifies (${check.servedChain.join(' ← ')}).`);
    }
    const update = await fleetApiOf(settings(), values).sendTelemetryConfig(vins, signSs256Jws(key, config));
    if (values.json) sayJson(update);
    else say(describeUpdate(update, pairUrl()).join('\n'));
    return update.updated_vehicles === 0 && skippedCount(update) > 0 ? 1 : 0;
  }
  const api = () => fleetApiOf(settings(), values);
  if (action === 'get') {
    const vin = oneVin(argument, action);
    const answer = await api().telemetryConfig(vin);
    if (values.json) sayJson(answer);
    else say(describeConfigAnswer(vin, answer).join('\n'));
    return 0;
  }
  if (action === 'delete') {
    const vin = oneVin(argument, action);
    const answer = await api().deleteTelemetryConfig(vin);
    if (values.json) sayJson(answer);
    else
      say(
        answer.updated_vehicles > 0
          ? `Deleted the configuration of ${vin}.`
          : `${vin} had no configuration of this application.`,
      );
    return 0;
  }
  if (action === 'errors') {
    const vin = argument === undefined ? undefined : oneVin(argument, action);
    const answer = vin ? await api().vehicleTelemetryErrors(vin) : await api().partnerTelemetryErrors();
    const errors = answer.fleet_telemetry_errors ?? [];
    if (values.json) sayJson(errors.map((e) => ({ ...e, meaning: explainTelemetryError(e.error) })));
    else say(describeTelemetryErrors(errors).join('\n'));
    return 0;
  }
  throw usage(`unknown action '${action}'; use sign, send, get, delete or errors`);
}

/** `gatehouse fleet telemetry-config`. */
export const telemetryConfigCommand: Command = {
  help: TELEMETRY_CONFIG_HELP,
  run: (argv) => runFleet(`telemetry-config ${argv[0] ?? ''}`.trim(), () => telemetryConfig(argv)),
};
