import {
  CONFIG_FILE,
  describeSetting,
  SETTING_GROUPS,
  SETTINGS,
  type SettingGroup,
  usageOf,
} from '../config/settings.ts';
import { type OptionGroup, type OptionHelp, optionTable } from './help.ts';

/** Rows `serve --help` has besides the settings: where they come from, and the help itself. */
const FIRST_ROWS: readonly OptionHelp[] = [
  { usage: usageOf(CONFIG_FILE), does: CONFIG_FILE.description, env: CONFIG_FILE.env },
];
const LAST_ROWS: readonly OptionHelp[] = [{ usage: '-h, --help', does: 'Show this help' }];

/** The settings table as option groups: every setting in its group, by flag or else by variable. */
export function serveOptionGroups(): OptionGroup[] {
  return (Object.keys(SETTING_GROUPS) as SettingGroup[]).map((id, i) => {
    const group: { heading: string; note?: string } = SETTING_GROUPS[id];
    const rows = SETTINGS.filter((s) => s.group === id).map(
      (s): OptionHelp => ({
        usage: usageOf(s),
        does: describeSetting(s),
        ...(s.flag === undefined ? {} : { env: s.env }),
      }),
    );
    return {
      heading: group.heading,
      options: i === 0 ? [...FIRST_ROWS, ...rows, ...LAST_ROWS] : rows,
      ...(group.note ? { note: group.note } : {}),
    };
  });
}

/** `gatehouse serve --help`, made from the settings table so no setting goes unlisted. */
export function serveHelp(): string {
  return `Usage: gatehouse serve [options]

Runs the Gatehouse edge: the routing proxy and, on the admin host, the admin API.
Each option can also be set by the environment variable shown, or in a --config file.
A setting shown by its variable alone has no flag: the environment or the config file sets it.

${optionTable(serveOptionGroups())}
Per-host certificates for SNI go in the config file:
  tls:
    certificates:
      - { hosts: ["*.example.com"], cert: /etc/gh/wild.pem, key: /etc/gh/wild.key }
`;
}
