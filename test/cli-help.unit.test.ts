import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DELIVERIES_HELP } from '../src/cli/deliveries-command.ts';
import { DEV_IDP_HELP } from '../src/cli/dev-idp-command.ts';
import { DEV_PROXY_HELP } from '../src/cli/dev-proxy-command.ts';
import { KEYS_HELP } from '../src/cli/fleet/keys-command.ts';
import { PAIR_LINK_HELP } from '../src/cli/fleet/pair-link-command.ts';
import { PARTNER_HELP } from '../src/cli/fleet/partner-command.ts';
import { SIMULATE_HELP } from '../src/cli/fleet/simulate-command.ts';
import { TELEMETRY_CONFIG_HELP } from '../src/cli/fleet/telemetry-config-command.ts';
import { SERVE_HELP } from '../src/cli/serve-command.ts';
import { TUNNEL_HELP } from '../src/cli/tunnel-command.ts';
import { serveConfig } from '../src/config/schema.ts';
import { SETTINGS, usageOf } from '../src/config/settings.ts';

const HELPS = {
  serve: SERVE_HELP,
  tunnel: TUNNEL_HELP,
  'dev-proxy': DEV_PROXY_HELP,
  'dev-idp': DEV_IDP_HELP,
  deliveries: DELIVERIES_HELP,
  'fleet keys': KEYS_HELP,
  'fleet partner': PARTNER_HELP,
  'fleet pair-link': PAIR_LINK_HELP,
  'fleet telemetry-config': TELEMETRY_CONFIG_HELP,
  'fleet simulate': SIMULATE_HELP,
};

/** An option as a help row starts: `-h, --help`, `--port N`, `--store redis://HOST:P`. */
const USAGE = /^(-[a-z], )?--[a-z][a-z-]*( [^\s]+)?$/;
const VARIABLE = /^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/;
/** A row: an option, or the variable of a setting that has no flag (`GATEHOUSE_SECRET_KEY`). */
const ROW = /^ {2}(-|[A-Z][A-Z0-9]*_[A-Z0-9_]+ {2})/;

/** The option rows of a help text: where the description and the variable start, and the usage. */
function optionRows(help: string) {
  return help
    .split('\n')
    .filter((line) => ROW.test(line))
    .map((line) => {
      const usage = /^ {2}(\S+(?: \S+)*)/.exec(line)![1]!;
      const descriptionAt = line.slice(2 + usage.length).search(/\S/) + 2 + usage.length;
      const last = /(\s+)(\S+)$/.exec(line)!;
      // A row of a variable ends in its description, which may end in an older name of it.
      const variable =
        VARIABLE.test(last[2]!) && !VARIABLE.test(usage)
          ? { at: line.length - last[2]!.length, gap: last[1]! }
          : undefined;
      return { line, usage, descriptionAt, variable };
    });
}

describe('--help', () => {
  for (const [command, help] of Object.entries(HELPS)) {
    test(`gatehouse ${command}: option, description and variable never run into each other`, () => {
      const rows = optionRows(help);
      assert.ok(rows.length > 3, 'the help lists options');
      for (const row of rows) {
        assert.ok(
          USAGE.test(row.usage) || VARIABLE.test(row.usage),
          `an option name or a variable alone, two spaces before its description: ${row.line}`,
        );
        if (row.variable)
          assert.ok(row.variable.gap.length >= 2, `two spaces before the variable: ${row.line}`);
      }
      const descriptionColumns = new Set(rows.map((r) => r.descriptionAt));
      assert.equal(descriptionColumns.size, 1, `descriptions start in one column:\n${help}`);
      const variableColumns = new Set(rows.flatMap((r) => (r.variable ? [r.variable.at] : [])));
      assert.ok(variableColumns.size <= 1, `variables start in one column:\n${help}`);
      // Lines that continue an option's description stay in the description column.
      let inOption = false;
      for (const line of help.split('\n')) {
        const continuation = /^ {5,}\S/.test(line);
        if (inOption && continuation)
          assert.equal(line.search(/\S/), [...descriptionColumns][0], `continuation aligned: ${line}`);
        inOption = ROW.test(line) || (inOption && continuation);
      }
    });
  }
});

describe('serve --help and the settings table', () => {
  test('lists every setting: its flag or, without one, its variable, with every older name', () => {
    const rows = new Map(optionRows(SERVE_HELP).map((r) => [r.usage, r.line]));
    for (const setting of SETTINGS) {
      const line = rows.get(usageOf(setting));
      assert.ok(line, `${setting.key} has a row ${usageOf(setting)}`);
      if (setting.flag !== undefined)
        assert.ok(line.endsWith(setting.env), `${setting.key} shows ${setting.env}`);
      for (const alias of setting.aliases ?? [])
        assert.match(SERVE_HELP, new RegExp(`\\b${alias}\\b`), `${setting.key} names ${alias}`);
    }
    assert.ok(rows.has('--config FILE') && rows.has('-h, --help'));
  });

  test('a flag is never a secret, and a flag that takes a value shows what the value looks like', () => {
    for (const setting of SETTINGS) {
      if (setting.flag === undefined) continue;
      assert.ok(!setting.secret, `${setting.key}: secrets have no flag`);
      assert.equal(
        setting.value === undefined,
        setting.boolean === true,
        `${setting.key}: ${usageOf(setting)}`,
      );
    }
  });

  test('a number the help gives as the default is the schema’s default', () => {
    const defaults = serveConfig.parse({});
    let checked = 0;
    for (const setting of SETTINGS) {
      const named = /\((?:default )?(\d+)[;)]/.exec(setting.description)?.[1];
      if (named === undefined) continue;
      const actual = setting.key
        .split('.')
        .reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], defaults);
      assert.equal(String(actual), named, `${usageOf(setting)}: (${named})`);
      checked++;
    }
    assert.ok(checked > 10, 'the help names defaults');
  });
});
