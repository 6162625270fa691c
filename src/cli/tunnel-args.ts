import type { LocalTarget } from '../tunnel/agent/local-forwarder.ts';
import type { PassthroughTarget } from '../tunnel/agent/local-passthrough.ts';
import { defineCommand } from './define-command.ts';
import { parseInspectAddress } from './inspector-server.ts';
import { parsePassthroughTarget } from './tunnel-passthrough.ts';

/** `gatehouse tunnel`: its help and the parser of its options. */
export const TUNNEL = defineCommand({
  usage: `Usage: gatehouse tunnel <local-url | port> [options]
       gatehouse tunnel --tls-passthrough PORT --name NAME [options]`,
  about: `Exposes a local server at https://<name>.<domain> through one outbound connection to Gatehouse.
With --tls-passthrough, TLS connections to <name>.<domain> on Gatehouse's HTTPS port reach a local
TLS server still encrypted: Gatehouse routes them by server name and never terminates them, so the
handshake, and any client certificate, ends on this machine.

Who connects: a tunnel key (--key, with --name), an admin key that creates the tunnel first
(--admin-key), or, with neither, your login from 'gatehouse login --server URL': the server then
connects your own tunnel (your first, or the one of yours --name gives).`,
  options: [
    {
      heading: 'Options',
      options: [
        { usage: '--server URL', does: 'Gatehouse to connect to', env: 'GATEHOUSE_SERVER' },
        { usage: '--name NAME', does: 'Tunnel name', env: 'GATEHOUSE_TUNNEL' },
        { usage: '--key KEY', does: "The tunnel's key (gt_…)", env: 'GATEHOUSE_KEY' },
        {
          usage: '--admin-key KEY',
          does:
            'Without --key: create the tunnel with this admin key and print its key; when --name exists ' +
            'already (an earlier run), give it a new key instead, so the same command runs again',
          env: 'GATEHOUSE_ADMIN_KEY',
        },
        {
          usage: '--tls-passthrough PORT',
          does: "Send TLS connections for the tunnel's name, unterminated, to the local TLS server at PORT or HOST:PORT",
        },
        { usage: '--preserve-host', does: 'Send the public Host header to the local server' },
        { usage: '--json', does: 'Line-delimited JSON events on stdout instead of a status line' },
        {
          usage: '--inspect ADDR',
          does: "Inspector address (default 127.0.0.1:4040); its URL is printed with this run's access token",
        },
        { usage: '--no-inspect', does: 'No inspector' },
        {
          usage: '--inspect-body-limit BYTES',
          does: 'Body bytes kept per request for the inspector (65536)',
        },
        { usage: '--retry-for SECONDS', does: 'Give up after this long unable to connect (300; 0 = never)' },
        { usage: '--no-local-check', does: 'Start even if nothing listens at the local URL yet' },
        { usage: '--ca FILE', does: 'Also trust this CA (PEM) for an https server' },
        {
          usage: '--transport KIND',
          does: 'raw (default): HTTP/2 straight on the upgraded connection; websocket: inside WebSocket messages, for proxies in front of Gatehouse that pass nothing else',
          env: 'GATEHOUSE_TRANSPORT',
        },
        { usage: '-h, --help', does: 'Show this help' },
      ],
    },
  ],
  footer: `Exit codes: 0 stopped by Ctrl-C or SIGTERM, 2 bad usage, 3 server unreachable after --retry-for
(at once for a name that does not exist, or https to a plain-HTTP port), 4 key refused or no such
tunnel, 5 nothing listening at the local URL, 7 the server cannot pass TLS through (no HTTPS
listener).
'gatehouse tunnels' lists tunnels, gives one a new key (rotate-key) or deletes one.`,
});

/** What a `gatehouse tunnel` run is asked to do, checked. */
export interface TunnelArgs {
  readonly server: URL;
  readonly local: LocalTarget | undefined;
  readonly tlsPassthrough: PassthroughTarget | undefined;
  readonly name: string | undefined;
  readonly key: string | undefined;
  readonly adminKey: string | undefined;
  readonly retryForSeconds: number;
  /** Where the inspector listens; undefined with --no-inspect. */
  readonly inspect: { readonly host: string; readonly port: number } | undefined;
  readonly transport: 'raw' | 'websocket';
  readonly json: boolean;
  readonly caFile: string | undefined;
  readonly localCheck: boolean;
}

/**
 * Reads `gatehouse tunnel`'s arguments and environment: the run to make, `{ help }` for --help,
 * or `{ problem }` naming what is wrong and what to give instead (exit 2).
 */
export function parseTunnelArgs(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
): TunnelArgs | { readonly help: true } | { readonly problem: string } {
  const { values, positionals } = TUNNEL.parse(argv);
  if (values.help) return { help: true };
  const localArg = positionals[0];
  const passthroughArg = values['tls-passthrough'];
  if (positionals.length > 1 || (!localArg && passthroughArg === undefined))
    return {
      problem:
        'give exactly one local URL or port, e.g. 3000 or http://localhost:3000, or a local TLS server with --tls-passthrough PORT',
    };
  const localUrl = localArg && (/^\d+$/.test(localArg) ? `http://127.0.0.1:${localArg}` : localArg);
  if (localUrl && (!URL.canParse(localUrl) || !/^https?:$/.test(new URL(localUrl).protocol)))
    return { problem: `not an http(s) URL: ${localArg}` };
  let tlsPassthrough: PassthroughTarget | undefined;
  if (passthroughArg !== undefined) {
    const parsed = parsePassthroughTarget(passthroughArg);
    if ('problem' in parsed) return parsed;
    tlsPassthrough = parsed;
  }
  const serverArg = values.server ?? env['GATEHOUSE_SERVER'];
  if (!serverArg || !URL.canParse(serverArg) || !/^https?:$/.test(new URL(serverArg).protocol))
    return {
      problem: '--server (or GATEHOUSE_SERVER) must be the Gatehouse URL, e.g. https://gatehouse.example.com',
    };
  const retryFor = Number(values['retry-for'] ?? 300);
  const captureBytes = Number(values['inspect-body-limit'] ?? 65_536);
  if (!Number.isFinite(retryFor) || retryFor < 0)
    return { problem: '--retry-for must be a number of seconds' };
  if (!Number.isInteger(captureBytes) || captureBytes < 0)
    return { problem: '--inspect-body-limit must be a whole number of bytes' };
  const inspectAddress = parseInspectAddress(values.inspect ?? '127.0.0.1:4040');
  if (!inspectAddress)
    return {
      problem: `--inspect must be HOST:PORT or PORT, e.g. 127.0.0.1:4040, not ${JSON.stringify(values.inspect)}`,
    };
  const transport = values.transport ?? env['GATEHOUSE_TRANSPORT'] ?? 'raw';
  if (transport !== 'raw' && transport !== 'websocket')
    return { problem: `--transport must be raw or websocket, not ${JSON.stringify(transport)}` };
  const name = values.name ?? env['GATEHOUSE_TUNNEL'];
  const key = values.key ?? env['GATEHOUSE_KEY'];
  if (key && !name) return { problem: 'give the tunnel name with --name (or GATEHOUSE_TUNNEL)' };
  return {
    server: new URL(serverArg),
    local: localUrl
      ? { url: new URL(localUrl), preserveHost: values['preserve-host'] === true, captureBytes }
      : undefined,
    tlsPassthrough,
    name,
    key,
    adminKey: values['admin-key'] ?? env['GATEHOUSE_ADMIN_KEY'],
    retryForSeconds: retryFor,
    // Passed-through connections stay encrypted: only HTTP requests have anything to inspect.
    inspect: values['no-inspect'] || !localUrl ? undefined : inspectAddress,
    transport,
    json: values.json === true,
    caFile: values.ca,
    localCheck: values['no-local-check'] !== true,
  };
}
