import { z } from 'zod';
import { serveConfig } from '../../src/config/schema.ts';
import {
  CONFIG_FILE,
  SETTING_GROUPS,
  SETTINGS,
  type Setting,
  type SettingGroup,
  usageOf,
} from '../../src/config/settings.ts';
import { code, page, table, text } from './markdown.ts';
import { defaultText, fieldsOf, schemaAt, typeText, unwrap } from './zod-text.ts';

const HEAD = ['Config key', 'Flag', 'Variable', 'Type', 'Default', 'Description'];

/** The schema of a setting; a setting the schema lacks stops the generator, as it would every start. */
function schemaOf(setting: Setting): z.ZodType {
  const schema = schemaAt(serveConfig, setting.key);
  if (!schema) throw new Error(`settings.ts names ${setting.key}, which the serve schema does not have`);
  return schema;
}

function row(setting: Setting): string[] {
  const schema = schemaOf(setting);
  const older = setting.aliases?.length ? ` (also ${setting.aliases.map(code).join(', ')})` : '';
  return [
    code(setting.key),
    setting.flag === undefined ? '' : code(usageOf(setting)),
    `${code(setting.env)}${older}`,
    typeText(schema),
    code(defaultText(schema)),
    `${setting.description}${setting.secret ? '. Secret: never shown in messages' : ''}`,
  ];
}

function group(id: SettingGroup, first: boolean): string {
  const { heading, note } = SETTING_GROUPS[id] as { heading: string; note?: string };
  const rows = SETTINGS.filter((s) => s.group === id).map(row);
  if (first)
    rows.unshift([
      '',
      code(usageOf(CONFIG_FILE)),
      code(CONFIG_FILE.env),
      'path',
      '',
      CONFIG_FILE.description,
    ]);
  return [`## ${text(heading)}`, table(HEAD, rows), note ? `\`\`\`text\n${note}\n\`\`\`` : '']
    .filter(Boolean)
    .join('\n\n');
}

/** Fields only the config file sets: the schema's, less the table's and the mappings that hold them. */
function fileOnly(): string {
  const inTable = new Set(SETTINGS.map((s) => s.key));
  const rows = fieldsOf(serveConfig)
    .filter((f) => !inTable.has(f.path) && !(unwrap(f.schema) instanceof z.ZodObject))
    .map((f) => [code(f.path), typeText(f.schema), code(defaultText(f.schema))]);
  return [
    '## Config file only',
    'These have no flag or variable. `[]` stands for each item of a list, `<name>` for each entry of a map.',
    table(['Config key', 'Type', 'Default'], rows),
  ].join('\n\n');
}

/** `docs/reference/configuration.md`: every setting of `gatehouse serve`, grouped as its --help groups them. */
export function configurationPage(): string {
  return page(
    '# Configuration',
    [
      'Every setting of `gatehouse serve`, grouped as `gatehouse serve --help` groups them. Each is read',
      'from, later ones winning: its default, the config file (`--config FILE` or `GATEHOUSE_CONFIG`, YAML',
      'or JSON, keyed by the config key: `tls.port` is `tls: { port: … }`), its variable (or an older',
      'name of it), its flag. A setting without a flag is read from the environment or the config file',
      'only; secrets never have one, since command lines are visible to every user of the machine.',
      'Switches take `true`/`false`, `yes`/`no`, `on`/`off` or `1`/`0` from a variable or the file.',
      'A bad value stops the start with a message naming the setting and where it came from.',
    ].join(' '),
    ...(Object.keys(SETTING_GROUPS) as SettingGroup[]).map((id, i) => group(id, i === 0)),
    fileOnly(),
  );
}
