import { simulateSubcommand } from './simulate-command.ts';

/** One `gatehouse fleet <name>` subcommand: its help and what it runs. */
export interface FleetSubcommand {
  /** One line for the `gatehouse fleet --help` list. */
  readonly summary: string;
  readonly help: string;
  run(argv: string[]): Promise<number>;
}

/** Every `fleet` subcommand, by name; each lives in a file of its own in this folder. */
const SUBCOMMANDS: Readonly<Record<string, FleetSubcommand>> = {
  simulate: simulateSubcommand,
};

/** `gatehouse fleet --help`. */
export function fleetHelp(): string {
  const names = Object.keys(SUBCOMMANDS);
  const width = Math.max(0, ...names.map((n) => n.length));
  return `Usage: gatehouse fleet <command> [options]

The Tesla Fleet kit: the application's key, partner registration, signed telemetry
configurations, and a simulator of Tesla's cloud for running all of it without a Tesla account.

Commands:
${names.map((n) => `  ${n.padEnd(width)}  ${SUBCOMMANDS[n]?.summary}`).join('\n')}

Every command that signs takes the key from --fleet-key FILE or TESLA_PRIVATE_KEY (a path or
the PEM itself). Run 'gatehouse fleet <command> --help' for a command's options.
`;
}

/** Runs `gatehouse fleet …`; resolves with the exit code. */
export async function fleetCommand(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    const sub = name === 'help' ? SUBCOMMANDS[rest[0] ?? ''] : undefined;
    process.stdout.write(sub ? sub.help : fleetHelp());
    return name === undefined ? 2 : 0;
  }
  const sub = SUBCOMMANDS[name];
  if (!sub) {
    process.stderr.write(`gatehouse fleet: unknown command '${name}'\n\n${fleetHelp()}`);
    return 2;
  }
  return sub.run(rest);
}
