import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DELIVERIES_HELP } from '../src/cli/deliveries-command.ts';
import { DEV_PROXY_HELP } from '../src/cli/dev-proxy-command.ts';
import { KEYS_HELP } from '../src/cli/fleet/keys-command.ts';
import { PAIR_LINK_HELP } from '../src/cli/fleet/pair-link-command.ts';
import { PARTNER_HELP } from '../src/cli/fleet/partner-command.ts';
import { SIMULATE_HELP } from '../src/cli/fleet/simulate-command.ts';
import { TELEMETRY_CONFIG_HELP } from '../src/cli/fleet/telemetry-config-command.ts';
import { SERVE_HELP } from '../src/cli/serve-command.ts';
import { TUNNEL_HELP } from '../src/cli/tunnel-command.ts';

const HELPS = {
  serve: SERVE_HELP,
  tunnel: TUNNEL_HELP,
  'dev-proxy': DEV_PROXY_HELP,
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

/** The option rows of a help text: where the description and the variable start, and the usage. */
function optionRows(help: string) {
  return help
    .split('\n')
    .filter((line) => /^ {2}-/.test(line))
    .map((line) => {
      const usage = /^ {2}(\S+(?: \S+)*)/.exec(line)![1]!;
      const descriptionAt = line.slice(2 + usage.length).search(/\S/) + 2 + usage.length;
      const last = /(\s+)(\S+)$/.exec(line)!;
      const variable = VARIABLE.test(last[2]!)
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
        assert.match(
          row.usage,
          USAGE,
          `an option name alone, two spaces before its description: ${row.line}`,
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
        inOption = /^ {2}-/.test(line) || (inOption && continuation);
      }
    });
  }
});
