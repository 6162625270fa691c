import { parseArgs } from 'node:util';
import { LINE_WIDTH, type OptionHelp, optionTable, wrap } from './help.ts';

/** An option as its help row shows it; `--name VALUE` takes a value, `--name` alone is a switch. */
export interface OptionRow extends OptionHelp {
  /** May be given more than once; the values come as a list. */
  readonly repeatable?: boolean;
  /** The row shows `--no-NAME`, the off form of a switch that is on unless given. */
  readonly negates?: boolean;
}

/** Options under a heading, with an optional note after them. */
export interface OptionRows {
  readonly heading: string;
  readonly options: readonly OptionRow[];
  readonly note?: string;
}

type FirstWord<S extends string> = S extends `${infer W} ${string}` ? W : S;
type OptionName<R extends OptionRow> = R extends { readonly negates: true }
  ? R['usage'] extends `--no-${infer N}`
    ? N
    : never
  : R['usage'] extends `-${string}, --${infer N}`
    ? FirstWord<N>
    : R['usage'] extends `--${infer N}`
      ? FirstWord<N>
      : never;
type OptionValue<R extends OptionRow> = R['usage'] extends `${string}--${string} ${string}`
  ? R extends { readonly repeatable: true }
    ? string[]
    : string
  : boolean;

/** The parsed values of a command's options, typed from their help rows. */
export type OptionValues<G extends readonly OptionRows[]> = {
  readonly [R in G[number]['options'][number] as OptionName<R>]?: OptionValue<R>;
};

/** A command's help text and the parser of its arguments, both from one option table. */
export interface DefinedCommand<V> {
  readonly help: string;
  /** Parses argv strictly (an unknown option throws the `ERR_PARSE_ARGS_*` error the CLI explains). */
  parse(argv: readonly string[]): { readonly values: V; readonly positionals: string[] };
}

/** What `parseArgs` needs to know of one help row. */
export function optionOf(row: OptionRow): {
  name: string;
  type: 'string' | 'boolean';
  short?: string;
  multiple?: boolean;
  default?: boolean;
} {
  const match = /^(?:-([A-Za-z]), )?--([a-z0-9][a-z0-9-]*)(\s+\S.*)?$/.exec(row.usage);
  if (!match) throw new TypeError(`option usage must read "--name [VALUE]" or "-x, --name": ${row.usage}`);
  if (row.negates) {
    if (!match[2]!.startsWith('no-') || match[3])
      throw new TypeError(`a negating option reads "--no-name": ${row.usage}`);
    return { name: match[2]!.slice(3), type: 'boolean', default: true };
  }
  return {
    name: match[2]!,
    type: match[3] ? 'string' : 'boolean',
    ...(match[1] ? { short: match[1] } : {}),
    ...(row.repeatable ? { multiple: true } : {}),
  };
}

/**
 * Defines a command from its usage lines, its description, one table of options (each row is
 * both the help line and the parser's option), and text after the table (exit codes, notes).
 */
export function defineCommand<const G extends readonly OptionRows[]>(spec: {
  readonly usage: string;
  readonly about: string;
  readonly options: G;
  readonly footer?: string;
  /** Every switch also takes `--no-NAME` (for switches some runs turn off). */
  readonly allowNegative?: boolean;
}): DefinedCommand<OptionValues<G>> {
  const options: Record<
    string,
    { type: 'string' | 'boolean'; short?: string; multiple?: boolean; default?: boolean }
  > = {};
  for (const row of spec.options.flatMap((g) => g.options)) {
    const { name, ...option } = optionOf(row);
    options[name] = option;
  }
  // Free text keeps its lines, each wrapped where it would pass the width every help keeps to.
  const fit = (text: string) =>
    text
      .split('\n')
      .flatMap((line) => wrap(line, LINE_WIDTH))
      .join('\n');
  const footer = spec.footer ? `\n${fit(spec.footer.trimEnd())}\n` : '';
  return {
    help: `${spec.usage.trimEnd()}\n\n${fit(spec.about.trim())}\n\n${optionTable(spec.options)}${footer}`,
    parse: (argv) => {
      const { values, positionals } = parseArgs({
        args: [...argv],
        options,
        strict: true,
        allowPositionals: true,
        allowNegative: spec.allowNegative === true,
      });
      return { values: values as OptionValues<G>, positionals };
    },
  };
}
