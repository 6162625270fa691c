import { GatehouseError } from '../core/errors.ts';
import { VERSION } from '../core/version.ts';
import {
  type CommandTable,
  closestName,
  commandList,
  commandOf,
  optionsOf,
  runFromTable,
} from './command-table.ts';

/** Every command; each module is imported only when its command runs (or its help is asked for). */
export const COMMANDS: CommandTable = {
  serve: {
    summary: 'Run the edge server (routing proxy, tunnels and admin API)',
    load: async () => {
      const m = await import('./serve-command.ts');
      return { help: m.SERVE_HELP, run: m.serveCommand };
    },
  },
  tunnel: {
    summary: 'Expose a local server through a Gatehouse tunnel',
    load: async () => {
      const m = await import('./tunnel-command.ts');
      return { help: m.TUNNEL_HELP, run: m.tunnelCommand };
    },
  },
  tunnels: {
    summary: "List tunnels, give one a new key, or delete one (an admin key's work)",
    load: async () => {
      const m = await import('./tunnels-command.ts');
      return { help: m.TUNNELS_HELP, run: m.tunnelsCommand };
    },
  },
  logs: {
    summary: 'Print the requests a Gatehouse answered, filtered, or follow them live',
    load: async () => {
      const m = await import('./logs-command.ts');
      return { help: m.LOGS_HELP, run: (argv) => m.logsCommand(argv) };
    },
  },
  login: {
    summary: 'Log in to a Gatehouse (device flow); tunnels then need no key',
    load: async () => {
      const m = await import('./login-command.ts');
      return { help: m.LOGIN_HELP, run: m.loginCommand };
    },
  },
  logout: {
    summary: 'Forget and revoke that login',
    load: async () => {
      const m = await import('./login-command.ts');
      return { help: m.LOGOUT_HELP, run: m.logoutCommand };
    },
  },
  'dev-proxy': {
    summary: 'Receive OAuth callbacks for a local API through the relay',
    load: async () => {
      const m = await import('./dev-proxy-command.ts');
      return { help: m.DEV_PROXY_HELP, run: m.devProxyCommand };
    },
  },
  'dev-idp': {
    summary: 'A stand-in OIDC login with test people, to try logins locally',
    load: async () => {
      const m = await import('./dev-idp-command.ts');
      return { help: m.DEV_IDP_HELP, run: m.devIdpCommand };
    },
  },
  deliveries: {
    summary: 'List and replay webhooks a relay route received',
    load: async () => {
      const m = await import('./deliveries-command.ts');
      return { help: m.DELIVERIES_HELP, run: m.deliveriesCommand };
    },
  },
  fleet: {
    summary: 'Tesla Fleet kit: keys, partner, telemetry configs, simulator',
    load: async () => {
      const m = await import('./fleet/fleet-command.ts');
      return { help: m.fleetHelp(), run: m.fleetCommand };
    },
    subcommands: async () => (await import('./fleet/fleet-command.ts')).SUBCOMMANDS,
  },
};

/** `gatehouse --help`. */
export const MAIN_HELP = `Usage: gatehouse <command> [options]

Gatehouse: a self-hosted edge gateway for apps whose outside world calls back.

Commands:
${commandList(COMMANDS)}
  help [cmd]  Show help for a command

Options:
  -h, --help     Show help
  -v, --version  Show the version

Run 'gatehouse <command> --help' for a command's options.
`;

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command] = argv;
  try {
    if (command === '-v' || command === '--version') {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    return await runFromTable('gatehouse', COMMANDS, MAIN_HELP, argv);
  } catch (error) {
    if (error instanceof GatehouseError) {
      process.stderr.write(`gatehouse: ${error.message}\n`);
      return 2;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(await optionError(error, argv));
      return 2;
    }
    throw error;
  }
}

/**
 * What an unknown or malformed option gets: the parser's words (without its advice on `--`, which
 * is never what a mistyped option needs), the command's closest option, and where all are listed.
 */
async function optionError(error: TypeError & { code?: unknown }, argv: readonly string[]): Promise<string> {
  const command = await commandOf(COMMANDS, argv);
  const name = command?.name ?? argv[0];
  const typed = /^Unknown option '(-{1,2}[^'=]+)/.exec(error.message)?.[1];
  let message = error.message.replace(/\. To specify a positional argument.*$/s, '');
  if (typed && command) {
    const known = optionsOf(command.help);
    const near = closestName(
      typed.replace(/^-+/, ''),
      known.map((o) => o.slice(2)),
    );
    if (near) message += `. Did you mean '--${near}'?`;
  }
  // A subcommand's errors are all prefixed with its name (`gatehouse fleet keys:`), so this one too.
  const prefix = name?.includes(' ') ? `gatehouse ${name}` : 'gatehouse';
  return `${prefix}: ${message}\nRun 'gatehouse ${name} --help' for its options.\n`;
}
