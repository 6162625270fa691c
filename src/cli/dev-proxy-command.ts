import { randomBytes } from 'node:crypto';
import { appendFileSync, writeFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { connectFailure } from '../http/connect-failure.ts';
import { type ClientTarget, RelayClient } from '../relay/relay-client.ts';
import type { TunnelAgent } from '../tunnel/agent/tunnel-agent.ts';
import { defineCommand } from './define-command.ts';
import { openDevTunnel } from './dev-proxy-tunnel.ts';
import { canConnect } from './tunnel-setup.ts';

/** `gatehouse dev-proxy`: its help and the parser of its options. */
const DEV_PROXY = defineCommand({
  usage: `Usage: gatehouse dev-proxy start [options]
       gatehouse dev-proxy stop  [options]`,
  about: `Receives OAuth callbacks for your local API through the relay: starts a tunnel to the local port,
registers it with the relay as your developer id, prints the redirect URI to use, and stays up
until Ctrl-C or SIGTERM, when it unregisters. 'stop' unregisters without running anything.`,
  options: [
    {
      heading: 'Options',
      options: [
        {
          usage: '--relay URL',
          does: 'The relay host, e.g. https://dev.api.example.com',
          env: 'DEV_PROXY_RELAY',
        },
        {
          usage: '--developer ID',
          does: 'Your developer id (letters, digits, . _ -)',
          env: 'DEV_PROXY_DEVELOPER',
        },
        { usage: '--port N', does: 'Local API port (start; default 8100)' },
        {
          usage: '--server URL',
          does: 'The Gatehouse that hosts your tunnel (required with a tunnel); no key is sent before it proves to be one',
          env: 'GATEHOUSE_SERVER',
        },
        { usage: '--name NAME', does: 'Tunnel name (default dev-<developer>)' },
        { usage: '--key KEY', does: "The tunnel's key", env: 'GATEHOUSE_KEY' },
        {
          usage: '--admin-key KEY',
          does: 'Create the tunnel with this admin key, or give it a new key when it exists (so the same command reruns)',
          env: 'GATEHOUSE_ADMIN_KEY',
        },
        { usage: '--tunnel-url URL', does: 'Register this https URL instead of a Gatehouse tunnel' },
        {
          usage: '--callback-path PATH',
          does: 'The registered callback path (/api/v1/tesla/oauth/callback)',
        },
        { usage: '--prefix PATH', does: "The relay's registration prefix (/api/v1/dev-proxy)" },
        { usage: '--env-file FILE', does: 'Also write TESLA_REDIRECT_URI and DEV_PROXY_DEVELOPER there' },
        {
          usage: '--ci',
          does: 'Non-interactive: developer id from the CI run (ci-<run id>), and TESLA_REDIRECT_URI to $GITHUB_ENV / redirect_uri to $GITHUB_OUTPUT',
        },
        { usage: '--relay-connect ADDR', does: 'Connect to ADDR:PORT instead of resolving the relay host' },
        { usage: '-h, --help', does: 'Show this help' },
      ],
    },
  ],
  footer: `The shared secret comes only from DEV_PROXY_SHARED_SECRET (or GATEHOUSE_RELAY_SECRET).
Exit codes: 0 done, 2 bad usage (or --server is not Gatehouse), 3 unreachable, 4 key refused,
5 nothing on the local port, 7 the relay refused the registration.`,
});

/** `gatehouse dev-proxy --help`. */
export const DEV_PROXY_HELP = DEV_PROXY.help;

const REREGISTER_MS = 30 * 60 * 1000;

/** Runs `gatehouse dev-proxy start|stop`; resolves with the exit code. */
export async function devProxyCommand(argv: string[]): Promise<number> {
  const [action, ...rest] = argv;
  const { values, positionals } = DEV_PROXY.parse(rest);
  if (values.help || action === '--help' || action === '-h' || action === undefined) {
    process.stdout.write(DEV_PROXY_HELP);
    return action === undefined ? 2 : 0;
  }
  const usage = (message: string) => {
    process.stderr.write(`gatehouse dev-proxy: ${message}\n\nRun 'gatehouse dev-proxy --help' for usage.\n`);
    return 2;
  };
  if (action !== 'start' && action !== 'stop') return usage(`unknown action '${action}'; use start or stop`);
  if (positionals.length > 0) return usage(`unexpected argument '${positionals[0]}'`);
  const relayArg = values.relay ?? process.env['DEV_PROXY_RELAY'];
  if (!relayArg || !URL.canParse(relayArg))
    return usage('--relay must be the relay host URL, e.g. https://dev.api.example.com');
  const secret = process.env['DEV_PROXY_SHARED_SECRET'] ?? process.env['GATEHOUSE_RELAY_SECRET'];
  if (!secret) return usage('set DEV_PROXY_SHARED_SECRET to the relay’s shared secret');
  const ci = values.ci === true;
  const developer =
    values.developer ?? process.env['DEV_PROXY_DEVELOPER'] ?? (ci ? ciDeveloperId(process.env) : undefined);
  if (!developer || !/^[A-Za-z0-9._-]{1,100}$/.test(developer))
    return usage('--developer must be 1 to 100 letters, digits, dots, hyphens or underscores');
  const relayUrl = new URL(relayArg);
  const client = new RelayClient({
    url: relayUrl,
    prefix: values.prefix ?? '/api/v1/dev-proxy',
    secret,
    connectTo: values['relay-connect'],
  });
  const tunnelName = (values.name ?? `dev-${developer}`)
    .toLowerCase()
    .replace(/[^a-z0-9-]/g, '-')
    .slice(0, 63);
  const target: ClientTarget = values['tunnel-url']
    ? { tunnel_url: values['tunnel-url'] }
    : { tunnel: tunnelName };
  const say = (line: string) => process.stderr.write(`${line}\n`);

  /** Why the relay could not be reached, named as such: not its refusal, which it never gave. */
  const unreachable = (error: unknown) => ({
    status: 0,
    body: { message: connectFailure(error, relayUrl).message } as Record<string, unknown>,
  });
  const relayProblem = (what: string, res: { status: number; body: Record<string, unknown> }) =>
    res.status === 0
      ? `gatehouse dev-proxy: cannot reach the relay at ${relayUrl.origin}: ${String(res.body['message'])}`
      : `gatehouse dev-proxy: the relay ${what} (${res.status} ${STATUS_CODES[res.status] ?? ''}`.trimEnd() +
        `): ${String(res.body['message'] ?? '')}`;

  if (action === 'stop') {
    const res = await client.unregister(target, developer).catch(unreachable);
    client.close();
    if (res.status === 200) {
      say(`Unregistered ${developer} from ${relayUrl.origin}.`);
      return 0;
    }
    say(relayProblem('refused to unregister', res));
    return res.status === 0 ? 3 : 7;
  }

  const port = Number(values.port ?? 8100);
  const local = new URL(`http://127.0.0.1:${port}`);
  let agent: TunnelAgent | undefined;
  if ('tunnel' in target) {
    // No default: the relay host routes admin paths to the deployed app, which would get the key.
    const serverArg = values.server || process.env['GATEHOUSE_SERVER'];
    if (!serverArg || !URL.canParse(serverArg) || !/^https?:$/.test(new URL(serverArg).protocol))
      return usage(
        '--server must be the Gatehouse that hosts your tunnel, e.g. https://gatehouse.example.com (or set GATEHOUSE_SERVER)',
      );
    const key = values.key || process.env['GATEHOUSE_KEY'] || undefined;
    const adminKey = values['admin-key'] || process.env['GATEHOUSE_ADMIN_KEY'] || undefined;
    if (!key && !adminKey)
      return usage('give the tunnel key (--key / GATEHOUSE_KEY) or an admin key to create the tunnel');
    if (!(await canConnect(local))) {
      say(`gatehouse dev-proxy: nothing is listening on port ${port}; start your API first`);
      return 5;
    }
    const opened = await openDevTunnel({
      server: new URL(serverArg),
      name: tunnelName,
      key,
      adminKey,
      local,
      say,
    });
    if ('exit' in opened) {
      say(`gatehouse dev-proxy: ${opened.message}`);
      return opened.exit;
    }
    agent = opened.agent;
    say(`Tunnel ${tunnelName} is online: ${agent.publicUrl} → ${local.origin}`);
  }

  const registered = await client.register(target, developer).catch(unreachable);
  if (registered.status !== 201) {
    agent?.stop();
    client.close();
    say(relayProblem('refused the registration', registered));
    return registered.status === 0 ? 3 : 7;
  }
  const redirectUri = new URL(values['callback-path'] ?? '/api/v1/tesla/oauth/callback', relayUrl).toString();
  say(`Registered ${developer} with ${relayUrl.origin} until ${String(registered.body['expires_at'])}.`);
  say(
    `Callbacks for states your app issues now reach ${'tunnel' in target ? local.origin : target.tunnel_url}. Use:`,
  );
  process.stdout.write(`export TESLA_REDIRECT_URI=${redirectUri}\n`);
  const envLines = `TESLA_REDIRECT_URI=${redirectUri}\nDEV_PROXY_DEVELOPER=${developer}\n`;
  if (values['env-file']) writeFileSync(values['env-file'], envLines);
  if (ci) {
    if (process.env['GITHUB_ENV']) appendFileSync(process.env['GITHUB_ENV'], envLines);
    if (process.env['GITHUB_OUTPUT'])
      appendFileSync(
        process.env['GITHUB_OUTPUT'],
        `redirect_uri=${redirectUri}\ndeveloper_id=${developer}\n`,
      );
  }

  // Registrations expire; renew well before they do, for as long as this runs.
  const renew = setInterval(() => {
    client.register(target, developer).catch(() => undefined);
  }, REREGISTER_MS);
  await new Promise<void>((resolve) => {
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    agent?.once('fatal', () => onSignal());
  });
  clearInterval(renew);
  const gone = await client.unregister(target, developer).catch(unreachable);
  say(
    gone.status === 200
      ? `Unregistered ${developer}.`
      : `gatehouse dev-proxy: unregister answered ${gone.status || 'nothing'}`,
  );
  agent?.stop();
  client.close();
  return 0;
}

/** A developer id for a CI run: GitHub's run id and attempt when there, else random. */
function ciDeveloperId(env: Readonly<Record<string, string | undefined>>): string {
  if (env['GITHUB_RUN_ID']) return `ci-${env['GITHUB_RUN_ID']}-${env['GITHUB_RUN_ATTEMPT'] ?? '1'}`;
  return `ci-${randomBytes(4).toString('hex')}`;
}
