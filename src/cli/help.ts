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
const DESCRIPTION_WIDTH = 42;
/** A row without a variable may use the variable column too, up to this line length. */
const LINE_WIDTH = 100;

/**
 * Lays option groups out in columns shared by every group (option, description, variable): each
 * column as wide as its longest entry, so no entry ever runs into the next, and descriptions wrap.
 */
export function optionTable(groups: readonly OptionGroup[]): string {
  const rows = groups.flatMap((g) => g.options);
  const usageWidth = Math.max(...rows.map((r) => r.usage.length));
  const textColumn = INDENT.length + usageWidth + GAP.length;
  const blocks = groups.map((group) => {
    const lines = [`${group.heading}:`];
    for (const row of group.options) {
      const width = row.env ? DESCRIPTION_WIDTH : Math.max(DESCRIPTION_WIDTH, LINE_WIDTH - textColumn);
      const wrapped = wrap(row.does, width);
      wrapped.forEach((text, i) => {
        const usage = (i === 0 ? row.usage : '').padEnd(usageWidth);
        const env = i === 0 && row.env ? `${GAP}${row.env}` : '';
        const description = env ? text.padEnd(DESCRIPTION_WIDTH) : text;
        lines.push(`${INDENT}${usage}${GAP}${description}${env}`.trimEnd());
      });
    }
    if (group.note) lines.push(...group.note.split('\n').map((l) => `${INDENT}${l}`));
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

/** Splits text into lines of at most `width` characters at spaces (a longer word gets a line of its own). */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  lines.push(line);
  return lines;
}
