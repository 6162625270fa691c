import { type CommandTable, commandList, runFromTable } from '../command-table.ts';

/** Every `fleet` subcommand, by name; each lives in a file of its own here, imported when it runs. */
export const SUBCOMMANDS: CommandTable = {
  keys: {
    summary: 'Make the command key pair, or check the key a domain hosts',
    load: async () => (await import('./keys-command.ts')).keysCommand,
  },
  partner: {
    summary: "Partner token, registration, registered key and vehicles' key status",
    load: async () => (await import('./partner-command.ts')).partnerCommand,
  },
  'pair-link': {
    summary: 'The virtual-key pairing link for owners, with a QR code',
    load: async () => (await import('./pair-link-command.ts')).pairLinkCommand,
  },
  'telemetry-config': {
    summary: 'Sign, send, read and delete telemetry configurations; read their errors',
    load: async () => (await import('./telemetry-config-command.ts')).telemetryConfigCommand,
  },
  simulate: {
    summary: "Run a simulator of Tesla's cloud (OAuth, Fleet API, pairing) for local work and tests",
    load: async () => (await import('./simulate-command.ts')).simulateSubcommand,
  },
};

/** `gatehouse fleet --help`. */
export function fleetHelp(): string {
  return `Usage: gatehouse fleet <command> [options]

The Tesla Fleet kit: the application's key, partner registration, signed telemetry
configurations, and a simulator of Tesla's cloud for running all of it without a Tesla account.

Commands:
${commandList(SUBCOMMANDS)}

Every command that signs takes the key from --fleet-key FILE or TESLA_PRIVATE_KEY (a path or
the PEM itself). Run 'gatehouse fleet <command> --help' for a command's options.
`;
}

/** Runs `gatehouse fleet …`; resolves with the exit code. */
export function fleetCommand(argv: string[]): Promise<number> {
  return runFromTable('gatehouse fleet', SUBCOMMANDS, fleetHelp(), argv);
}
