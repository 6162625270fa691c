import { SUBCOMMANDS } from '../../src/cli/fleet/fleet-command.ts';
import { COMMANDS, MAIN_HELP } from '../../src/cli/main.ts';
import { page } from './markdown.ts';

const section = (title: string, help: string) => `## \`${title}\`\n\n\`\`\`text\n${help.trimEnd()}\n\`\`\``;

/** `docs/reference/cli.md`: the `--help` of every command and `fleet` subcommand, as the CLI prints it. */
export async function cliPage(): Promise<string> {
  const sections = [section('gatehouse', MAIN_HELP)];
  for (const [name, entry] of Object.entries(COMMANDS)) {
    sections.push(section(`gatehouse ${name}`, (await entry.load()).help));
    if (name !== 'fleet') continue;
    for (const [sub, subEntry] of Object.entries(SUBCOMMANDS))
      sections.push(section(`gatehouse fleet ${sub}`, (await subEntry.load()).help));
  }
  return page(
    '# Command line',
    'What `gatehouse <command> --help` prints, for every command, in the order `gatehouse --help` lists them.',
    ...sections,
  );
}
