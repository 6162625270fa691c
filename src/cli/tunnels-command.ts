import { adminAccessOf, answerExit, answerProblem, callAdmin } from './admin-client.ts';
import { defineCommand } from './define-command.ts';

/** `gatehouse tunnels`: its help and the parser of its options. */
const TUNNELS = defineCommand({
  usage: `Usage: gatehouse tunnels list              [options]
       gatehouse tunnels rotate-key NAME   [options]
       gatehouse tunnels delete NAME       [options]`,
  about: `The tunnels of a Gatehouse, through its admin API: which there are and which are online,
a new key for one (its agent, still on the old key, is disconnected; run it again with the new
key, or rerun 'gatehouse tunnel --admin-key', which does this itself), and deleting one.`,
  options: [
    {
      heading: 'Options',
      options: [
        { usage: '--server URL', does: 'Gatehouse (default http://localhost:8080)', env: 'GATEHOUSE_SERVER' },
        { usage: '--admin-key KEY', does: 'Admin API key', env: 'GATEHOUSE_ADMIN_KEY' },
        { usage: '--ca FILE', does: 'Also trust this CA (PEM) for an https server' },
        { usage: '--json', does: "Print the API's JSON" },
        { usage: '-h, --help', does: 'Show this help' },
      ],
    },
  ],
  footer: 'Exit codes: 0 done, 1 refused (no such tunnel), 2 bad usage, 3 server unreachable, 4 key refused.',
});

/** `gatehouse tunnels --help`. */
export const TUNNELS_HELP = TUNNELS.help;

/** A tunnel as the list shows it. */
interface TunnelRow {
  readonly name: string;
  readonly url: string;
  readonly online: boolean;
  readonly keyPrefix: string;
  readonly createdAt: string;
}

/** The list as columns: name, state, URL, the start of its key, when it was made. */
function tunnelTable(tunnels: readonly TunnelRow[]): string {
  if (tunnels.length === 0) return 'No tunnels.';
  const rows = [
    ['NAME', 'STATE', 'URL', 'KEY', 'CREATED'],
    ...tunnels.map((t) => [t.name, t.online ? 'online' : 'offline', t.url, `${t.keyPrefix}…`, t.createdAt]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Where a command writes: its output, and its messages. */
export interface CommandOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

const PROCESS_OUTPUT: CommandOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** Runs `gatehouse tunnels …`; resolves with the exit code. */
export async function tunnelsCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  output: CommandOutput = PROCESS_OUTPUT,
): Promise<number> {
  const { values, positionals } = TUNNELS.parse(argv);
  const [action, name, extra] = positionals;
  if (values.help || !action) {
    output.stdout(TUNNELS_HELP);
    return values.help ? 0 : 2;
  }
  const fail = (message: string, code = 2) => {
    output.stderr(`gatehouse tunnels: ${message}\n`);
    return code;
  };
  if (!['list', 'rotate-key', 'delete'].includes(action))
    return fail(`unknown action '${action}'; use list, rotate-key or delete`);
  if (action !== 'list' && !name) return fail(`${action} needs the tunnel's name`);
  if (extra !== undefined || (action === 'list' && name !== undefined))
    return fail(`unexpected argument '${extra ?? name}'`);
  const access = adminAccessOf(values, env);
  if (typeof access === 'string') return fail(access);
  const path = `tunnels/${name ? encodeURIComponent(name) : ''}`;

  if (action === 'list') {
    const answer = await callAdmin(access, 'GET', path);
    if (!answer.reached || answer.status !== 200)
      return fail(answerProblem('listing the tunnels', access, answer), answerExit(answer));
    const tunnels = answer.body['tunnels'] as TunnelRow[];
    output.stdout(values.json ? `${JSON.stringify(tunnels)}\n` : `${tunnelTable(tunnels)}\n`);
    return 0;
  }
  if (action === 'rotate-key') {
    const answer = await callAdmin(access, 'POST', `${path}/rotate-key`);
    if (!answer.reached || answer.status !== 200 || typeof answer.body['key'] !== 'string')
      return fail(answerProblem(`giving tunnel ${name} a new key`, access, answer), answerExit(answer));
    output.stdout(
      values.json
        ? `${JSON.stringify(answer.body)}\n`
        : `Tunnel ${name} has a new key (shown once; an agent on the old one was disconnected):\n` +
            `  ${answer.body['key']}\n`,
    );
    return 0;
  }
  const answer = await callAdmin(access, 'DELETE', path);
  if (!answer.reached || answer.status !== 204)
    return fail(answerProblem(`deleting tunnel ${name}`, access, answer), answerExit(answer));
  output.stdout(values.json ? '{}\n' : `Deleted tunnel ${name}; its agent was disconnected.\n`);
  return 0;
}
