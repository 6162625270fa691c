/** One row of an options table: the option as typed, what it does, and the variable that also sets it. */
export interface OptionHelp {
  readonly usage: string;
  readonly does: string;
  readonly env?: string;
}

/** Options under a heading, with an optional note printed after them. */
export interface OptionGroup {
  readonly heading: string;
  readonly options: readonly OptionHelp[];
  readonly note?: string;
}

const INDENT = '  ';
/** At least this much space between columns, whatever their contents. */
const GAP = '  ';
/** Descriptions are never laid narrower than this beside a variable column. */
const MIN_DESCRIPTION_WIDTH = 36;
const MAX_DESCRIPTION_WIDTH = 42;
/** No line of any help text is longer than this. */
export const LINE_WIDTH = 100;
/** How a variable reads on a line of its own, under its option's description. */
const VARIABLE_LINE = (env: string) => `env: ${env}`;

/**
 * Lays option groups out in columns shared by every group (option, description, variable): each
 * column as wide as its longest entry, so no entry ever runs into the next, descriptions wrapped,
 * and no line past {@link LINE_WIDTH}. Where a variable column would not leave a description room
 * enough, each variable goes on the line under its description instead.
 */
export function optionTable(groups: readonly OptionGroup[]): string {
  const rows = groups.flatMap((g) => g.options);
  const usageWidth = Math.max(...rows.map((r) => r.usage.length));
  const textColumn = INDENT.length + usageWidth + GAP.length;
  const envWidth = Math.max(0, ...rows.map((r) => r.env?.length ?? 0));
  const besideWidth = Math.min(MAX_DESCRIPTION_WIDTH, LINE_WIDTH - textColumn - GAP.length - envWidth);
  const variablesBeside = besideWidth >= MIN_DESCRIPTION_WIDTH;
  const fullWidth = LINE_WIDTH - textColumn;
  const blank = ' '.repeat(textColumn);
  const blocks = groups.map((group) => {
    const lines = [`${group.heading}:`];
    for (const row of group.options) {
      const beside = variablesBeside && row.env !== undefined;
      const wrapped = wrap(row.does, beside ? besideWidth : fullWidth);
      wrapped.forEach((text, i) => {
        const usage = (i === 0 ? row.usage : '').padEnd(usageWidth);
        const env = i === 0 && beside ? `${GAP}${row.env}` : '';
        const description = env ? text.padEnd(besideWidth) : text;
        lines.push(`${INDENT}${usage}${GAP}${description}${env}`.trimEnd());
      });
      if (row.env !== undefined && !variablesBeside) lines.push(`${blank}${VARIABLE_LINE(row.env)}`);
    }
    if (group.note)
      for (const line of group.note.split('\n'))
        lines.push(...wrap(line, LINE_WIDTH - INDENT.length).map((l) => `${INDENT}${l}`.trimEnd()));
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

/**
 * Splits text into lines of at most `width` characters at spaces (a longer word gets a line of its
 * own). Spaces that start the text are kept on its first line, so an indented line stays indented.
 */
export function wrap(text: string, width: number): string[] {
  const lead = /^\s*/.exec(text)![0];
  const lines: string[] = [];
  let line = lead;
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line.trim() && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line.trim() ? `${line} ${word}` : `${line}${word}`;
  }
  lines.push(line);
  return lines;
}
