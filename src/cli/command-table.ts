import { closestName } from '../core/closest-name.ts';
import { LINE_WIDTH, wrap } from './help.ts';

export { closestName } from '../core/closest-name.ts';

/** A loaded command: its help text and what it runs. */
export interface Command {
  readonly help: string;
  run(argv: string[]): Promise<number>;
}

/** A command as its table lists it: one line for the list, and its module, imported only when used. */
export interface CommandEntry {
  readonly summary: string;
  load(): Promise<Command>;
  /** The commands under this one (`fleet keys`), for naming the options of the one that ran. */
  subcommands?(): Promise<CommandTable>;
}

/** Commands by name. */
export type CommandTable = Readonly<Record<string, CommandEntry>>;

/** The `Commands:` list of a usage text: names in one column, summaries beside them, wrapped. */
export function commandList(table: CommandTable): string {
  const names = Object.keys(table);
  const width = Math.max(0, ...names.map((n) => n.length));
  const column = 2 + width + 2;
  return names
    .flatMap((n) =>
      wrap(table[n]?.summary ?? '', LINE_WIDTH - column).map(
        (line, i) => `${i === 0 ? `  ${n.padEnd(width)}  ` : ' '.repeat(column)}${line}`,
      ),
    )
    .join('\n');
}

/** The options a help text lists: the `--name` that starts each of its option rows. */
export function optionsOf(help: string): string[] {
  return [...help.matchAll(/^ {2}(?:-[A-Za-z], )?(--[a-z0-9][a-z0-9-]*)/gm)].map((m) => m[1]!);
}

/**
 * The command `argv` runs, however deep (`fleet keys`), and its help text; undefined for a name
 * that is no command.
 */
export async function commandOf(
  table: CommandTable,
  argv: readonly string[],
): Promise<{ readonly name: string; readonly help: string } | undefined> {
  const [name, sub] = argv;
  const entry = name !== undefined && Object.hasOwn(table, name) ? table[name] : undefined;
  if (!entry) return undefined;
  const below =
    entry.subcommands && sub !== undefined ? await commandOf(await entry.subcommands(), [sub]) : undefined;
  if (below) return { name: `${name} ${below.name}`, help: below.help };
  return { name: name!, help: (await entry.load()).help };
}

/**
 * Runs `<prefix> <name> …` from a table: help when asked for (or no name given, exit 2), the
 * command's own help for `help <name>`, and for an unknown name a line naming the closest one.
 */
export async function runFromTable(
  prefix: string,
  table: CommandTable,
  usage: string,
  argv: readonly string[],
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help') {
    process.stdout.write(usage);
    return name === undefined ? 2 : 0;
  }
  if (name === 'help') {
    const entry = rest[0] === undefined ? undefined : table[rest[0]];
    process.stdout.write(entry ? (await entry.load()).help : usage);
    return 0;
  }
  const entry = Object.hasOwn(table, name) ? table[name] : undefined;
  if (!entry) {
    const near = closestName(name, Object.keys(table));
    const hint = near ? `Did you mean '${prefix} ${near}'?\n` : '';
    process.stderr.write(`${prefix}: unknown command '${name}'\n${hint}\n${usage}`);
    return 2;
  }
  return (await entry.load()).run(rest);
}
