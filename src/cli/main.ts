import { GatehouseError } from '../core/errors.ts';
import { VERSION } from '../core/version.ts';
import { DELIVERIES_HELP, deliveriesCommand } from './deliveries-command.ts';
import { DEV_PROXY_HELP, devProxyCommand } from './dev-proxy-command.ts';
import { fleetCommand, fleetHelp } from './fleet/fleet-command.ts';
import { LOGIN_HELP, LOGOUT_HELP, loginCommand, logoutCommand } from './login-command.ts';
import { SERVE_HELP, serveCommand } from './serve-command.ts';
import { TUNNEL_HELP, tunnelCommand } from './tunnel-command.ts';

/** `gatehouse --help`. */
export const MAIN_HELP = `Usage: gatehouse <command> [options]

Gatehouse: a self-hosted edge gateway for apps whose outside world calls back.

Commands:
  serve       Run the edge server (routing proxy, tunnels and admin API)
  tunnel      Expose a local server through a Gatehouse tunnel
  login       Log in to a Gatehouse (device flow); tunnels then need no key
  logout      Forget and revoke that login
  dev-proxy   Receive OAuth callbacks for a local API through the relay
  deliveries  List and replay webhooks a relay route received
  fleet       Tesla Fleet kit: keys, partner, telemetry configs, simulator
  help [cmd]  Show help for a command

Options:
  -h, --help     Show help
  -v, --version  Show the version

Run 'gatehouse <command> --help' for a command's options.
`;

const HELP: Readonly<Record<string, string>> = {
  serve: SERVE_HELP,
  tunnel: TUNNEL_HELP,
  login: LOGIN_HELP,
  logout: LOGOUT_HELP,
  'dev-proxy': DEV_PROXY_HELP,
  deliveries: DELIVERIES_HELP,
  get fleet() {
    return fleetHelp();
  },
};

/** Runs the CLI with `argv` (without node and script); resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
        process.stdout.write(MAIN_HELP);
        return command === undefined ? 2 : 0;
      case '-v':
      case '--version':
        process.stdout.write(`${VERSION}\n`);
        return 0;
      case 'help':
        process.stdout.write(HELP[rest[0] ?? ''] ?? MAIN_HELP);
        return 0;
      case 'serve':
        return await serveCommand(rest);
      case 'tunnel':
        return await tunnelCommand(rest);
      case 'login':
        return await loginCommand(rest);
      case 'logout':
        return await logoutCommand(rest);
      case 'dev-proxy':
        return await devProxyCommand(rest);
      case 'deliveries':
        return await deliveriesCommand(rest);
      case 'fleet':
        return await fleetCommand(rest);
      default:
        process.stderr.write(`gatehouse: unknown command '${command}'\n\n${MAIN_HELP}`);
        return 2;
    }
  } catch (error) {
    if (error instanceof GatehouseError) {
      process.stderr.write(`gatehouse: ${error.message}\n`);
      return 2;
    }
    if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      // An unknown or malformed option: say where the right ones are listed.
      process.stderr.write(
        `gatehouse: ${error.message}\nRun 'gatehouse ${command} --help' for its options.\n`,
      );
      return 2;
    }
    throw error;
  }
}
