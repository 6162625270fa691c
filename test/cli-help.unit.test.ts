import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { closestName, commandOf, optionsOf } from '../src/cli/command-table.ts';
import { SUBCOMMANDS } from '../src/cli/fleet/fleet-command.ts';
import { LINE_WIDTH } from '../src/cli/help.ts';
import { COMMANDS, MAIN_HELP, main } from '../src/cli/main.ts';
import { SERVE_HELP } from '../src/cli/serve-command.ts';
import { serveConfig } from '../src/config/schema.ts';
import { SETTINGS, usageOf } from '../src/config/settings.ts';

/** Every help text the CLI prints, by the command that prints it. */
const HELPS: Record<string, string> = { gatehouse: MAIN_HELP };
for (const [name, entry] of Object.entries(COMMANDS)) HELPS[name] = (await entry.load()).help;
for (const [name, entry] of Object.entries(SUBCOMMANDS)) HELPS[`fleet ${name}`] = (await entry.load()).help;

/** An option as a help row starts: `-h, --help`, `--port N`, `--store redis://HOST:P`. */
const USAGE = /^(-[a-z], )?--[a-z][a-z-]*( [^\s]+)?$/;
const VARIABLE = /^[A-Z][A-Z0-9]*_[A-Z0-9_]+$/;
/** A row: an option, or the variable of a setting that has no flag (`GATEHOUSE_SECRET_KEY`). */
const ROW = /^ {2}(-|[A-Z][A-Z0-9]*_[A-Z0-9_]+ {2})/;
/** A variable on a line of its own, under its option's description. */
const VARIABLE_LINE = /^( +)env: ([A-Z][A-Z0-9_]+)$/;

/** The option rows of a help text: where the description and the variable start, and the usage. */
function optionRows(help: string) {
  const lines = help.split('\n');
  return lines.flatMap((line, index) => {
    if (!ROW.test(line)) return [];
    const usage = /^ {2}(\S+(?: \S+)*)/.exec(line)![1]!;
    const descriptionAt = line.slice(2 + usage.length).search(/\S/) + 2 + usage.length;
    const last = /(\s+)(\S+)$/.exec(line)!;
    // A row of a variable ends in its description, which may end in an older name of it.
    const beside =
      VARIABLE.test(last[2]!) && !VARIABLE.test(usage)
        ? { name: last[2]!, at: line.length - last[2]!.length, gap: last[1]! }
        : undefined;
    // Or the variable has the line after the description to itself.
    let next = index + 1;
    while (lines[next] !== undefined && /^ {5,}\S/.test(lines[next]!) && !VARIABLE_LINE.test(lines[next]!))
      next++;
    const below = VARIABLE_LINE.exec(lines[next] ?? '');
    const variable = below ? { name: below[2]!, at: below[1]!.length, gap: '' } : beside;
    return [{ line, usage, descriptionAt, variable, below: below !== null }];
  });
}

describe('--help', () => {
  for (const [command, help] of Object.entries(HELPS)) {
    test(`${command} --help: no line is longer than ${LINE_WIDTH} columns`, () => {
      for (const line of help.split('\n'))
        assert.ok(line.length <= LINE_WIDTH, `${line.length} columns: ${line}`);
    });
    if (command === 'gatehouse' || command === 'fleet') continue;
    test(`gatehouse ${command}: option, description and variable never run into each other`, () => {
      const rows = optionRows(help);
      assert.ok(rows.length >= 3, 'the help lists options');
      for (const row of rows) {
        assert.ok(
          USAGE.test(row.usage) || VARIABLE.test(row.usage),
          `an option name or a variable alone, two spaces before its description: ${row.line}`,
        );
        if (row.variable && !row.below)
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

  test('logout says what it does, not what login does', () => {
    assert.match(HELPS['logout']!, /--server URL +The Gatehouse to log out of/);
    assert.doesNotMatch(HELPS['logout']!, /log in to/);
  });
});

describe('a mistyped option', () => {
  const cases: [argv: string[], near: string | undefined, helpOf: string][] = [
    [['serve', '--prot', '8080'], '--port', 'serve'],
    [['tunnel', '3000', '--admn-key', 'k'], '--admin-key', 'tunnel'],
    [['login', '--sever', 'http://x'], '--server', 'login'],
    [['logout', '--severs', 'http://x'], '--server', 'logout'],
    [['deliveries', 'list', '--rout', 'r'], '--route', 'deliveries'],
    [['dev-proxy', 'start', '--devloper', 'd'], '--developer', 'dev-proxy'],
    [['fleet', 'keys', 'make', '--fleetkey', 'k'], '--fleet-key', 'fleet keys'],
    [['tunnel', '--zzzzzzzz'], undefined, 'tunnel'],
  ];
  for (const [argv, near, helpOf] of cases) {
    test(`${argv.join(' ')}: ${near ? `names ${near}` : 'names none far off'}`, async () => {
      const written: string[] = [];
      const write = process.stderr.write;
      process.stderr.write = ((chunk: string) => written.push(chunk) > 0) as typeof write;
      const code = await main(argv).finally(() => {
        process.stderr.write = write;
      });
      const typed = argv.find((a) => a.startsWith('--'))!;
      const hint = near ? `. Did you mean '${near}'?` : '';
      assert.equal(
        written.join(''),
        `gatehouse${helpOf.includes(' ') ? ` ${helpOf}` : ''}: Unknown option '${typed}'${hint}\n` +
          `Run 'gatehouse ${helpOf} --help' for its options.\n`,
      );
      assert.equal(code, 2);
    });
  }

  test('the options named are the ones the help lists, for every command', async () => {
    for (const name of Object.keys(HELPS).filter((n) => n !== 'gatehouse' && n !== 'fleet')) {
      const command = await commandOf(COMMANDS, name.split(' '));
      assert.equal(command?.help, HELPS[name]);
      const options = optionsOf(command!.help);
      assert.ok(options.includes('--help'), `${name} lists --help: ${options}`);
      assert.equal(
        closestName(
          'hlep',
          options.map((o) => o.slice(2)),
        ),
        'help',
      );
    }
  });
});

describe('serve --help and the settings table', () => {
  test('lists every setting: its flag or, without one, its variable, with every older name', () => {
    const rows = new Map(optionRows(SERVE_HELP).map((r) => [r.usage, r]));
    for (const setting of SETTINGS) {
      const row = rows.get(usageOf(setting));
      assert.ok(row, `${setting.key} has a row ${usageOf(setting)}`);
      if (setting.flag !== undefined)
        assert.equal(row.variable?.name, setting.env, `${setting.key} shows ${setting.env}`);
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
