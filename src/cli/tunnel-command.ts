import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Configuration } from 'openid-client';
import { releaseMemoryWhenIdle } from '../core/idle-memory.ts';
import { VERSION } from '../core/version.ts';
import { ExchangeLog } from '../tunnel/agent/exchange-log.ts';
import { type InspectedTunnel, inspectorToken } from '../tunnel/agent/inspector.ts';
import type { ExchangeRecord, LocalTarget } from '../tunnel/agent/local-forwarder.ts';
import type { PassthroughRecord, PassthroughTarget } from '../tunnel/agent/local-passthrough.ts';
import { type FatalReason, TunnelAgent } from '../tunnel/agent/tunnel-agent.ts';
import { awaitAdminApi } from './admin-probe.ts';
import { discover, freshLogin, type ServerAccess } from './device-login.ts';
import { optionTable } from './help.ts';
import { type InspectorServer, parseInspectAddress, startInspector } from './inspector-server.ts';
import { JsonLines } from './json-lines.ts';
import { redactSecrets } from './redact-secrets.ts';
import { defaultConfigDir, type SavedLogin, SavedLogins } from './saved-logins.ts';
import { formatBytes, StatusLine } from './status-line.ts';
import { countOf, fatalMessage } from './tunnel-messages.ts';
import { parsePassthroughTarget, passthroughTargetText } from './tunnel-passthrough.ts';
import { canConnect, createTunnel } from './tunnel-setup.ts';

/** `gatehouse tunnel --help`. */
export const TUNNEL_HELP = `Usage: gatehouse tunnel <local-url | port> [options]
       gatehouse tunnel --tls-passthrough PORT --name NAME [options]

Exposes a local server at https://<name>.<domain> through one outbound connection to Gatehouse.
With --tls-passthrough, TLS connections to <name>.<domain> on Gatehouse's HTTPS port reach a local
TLS server still encrypted: Gatehouse routes them by server name and never terminates them, so the
handshake, and any client certificate, ends on this machine.

Who connects: a tunnel key (--key, with --name), an admin key that creates the tunnel first
(--admin-key), or, with neither, your login from 'gatehouse login --server URL': the server then
connects your own tunnel (your first, or the one of yours --name gives).

${optionTable([
  {
    heading: 'Options',
    options: [
      { usage: '--server URL', does: 'Gatehouse to connect to', env: 'GATEHOUSE_SERVER' },
      { usage: '--name NAME', does: 'Tunnel name', env: 'GATEHOUSE_TUNNEL' },
      { usage: '--key KEY', does: "The tunnel's key (gt_…)", env: 'GATEHOUSE_KEY' },
      {
        usage: '--admin-key KEY',
        does: 'Without --key: create the tunnel first with this admin key and print its key',
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
      { usage: '--inspect-body-limit BYTES', does: 'Body bytes kept per request for the inspector (65536)' },
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
])}
Exit codes: 0 stopped by Ctrl-C or SIGTERM, 2 bad usage, 3 server unreachable after --retry-for,
4 key refused or no such tunnel, 5 nothing listening at the local URL, 6 tunnel name taken,
7 the server cannot pass TLS through (no HTTPS listener).
`;

/** An error line on stderr, with secrets in query strings redacted like every other line. */
function complain(message: string): void {
  process.stderr.write(`gatehouse tunnel: ${redactSecrets(message)}\n`);
}

type Emit = (event: string, fields: Record<string, unknown>, options?: { batched?: boolean }) => void;

/**
 * The access token of a saved login for each connection, refreshed when due; the rotated refresh
 * token is saved at once, since the old one is spent.
 */
function loginCredential(
  logins: SavedLogins,
  login: SavedLogin,
  access: ServerAccess,
): () => Promise<string> {
  let current = login;
  let config: Promise<Configuration> | undefined;
  return async () => {
    config ??= discover(access);
    const fresh = await freshLogin(
      await config.catch((error: unknown) => {
        config = undefined;
        throw error;
      }),
      current,
    );
    if (fresh !== current) logins.put(fresh);
    current = fresh;
    return fresh.accessToken;
  };
}

/** Runs `gatehouse tunnel` until a signal or a fatal error; resolves with the exit code. */
export async function tunnelCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      server: { type: 'string' },
      name: { type: 'string' },
      key: { type: 'string' },
      'admin-key': { type: 'string' },
      'preserve-host': { type: 'boolean' },
      json: { type: 'boolean' },
      inspect: { type: 'string' },
      'no-inspect': { type: 'boolean' },
      'inspect-body-limit': { type: 'string' },
      'retry-for': { type: 'string' },
      'no-local-check': { type: 'boolean' },
      ca: { type: 'string' },
      transport: { type: 'string' },
      'tls-passthrough': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(TUNNEL_HELP);
    return 0;
  }
  const usage = (message: string) => {
    complain(`${message}\n\nRun 'gatehouse tunnel --help' for usage.`);
    return 2;
  };
  const localArg = positionals[0];
  const passthroughArg = values['tls-passthrough'];
  if (positionals.length > 1 || (!localArg && passthroughArg === undefined))
    return usage(
      'give exactly one local URL or port, e.g. 3000 or http://localhost:3000, or a local TLS server with --tls-passthrough PORT',
    );
  const localUrl = localArg && (/^\d+$/.test(localArg) ? `http://127.0.0.1:${localArg}` : localArg);
  if (localUrl && (!URL.canParse(localUrl) || !/^https?:$/.test(new URL(localUrl).protocol)))
    return usage(`not an http(s) URL: ${localArg}`);
  let tlsPassthrough: PassthroughTarget | undefined;
  if (passthroughArg !== undefined) {
    const parsed = parsePassthroughTarget(passthroughArg);
    if ('problem' in parsed) return usage(parsed.problem);
    tlsPassthrough = parsed;
  }
  const serverArg = values.server ?? process.env['GATEHOUSE_SERVER'];
  if (!serverArg || !URL.canParse(serverArg) || !/^https?:$/.test(new URL(serverArg).protocol))
    return usage(
      '--server (or GATEHOUSE_SERVER) must be the Gatehouse URL, e.g. https://gatehouse.example.com',
    );
  const server = new URL(serverArg);
  let name = values.name ?? process.env['GATEHOUSE_TUNNEL'];
  let key = values.key ?? process.env['GATEHOUSE_KEY'];
  const adminKey = values['admin-key'] ?? process.env['GATEHOUSE_ADMIN_KEY'];
  const retryFor = Number(values['retry-for'] ?? 300);
  const captureBytes = Number(values['inspect-body-limit'] ?? 65_536);
  if (!Number.isFinite(retryFor) || retryFor < 0) return usage('--retry-for must be a number of seconds');
  if (!Number.isInteger(captureBytes) || captureBytes < 0)
    return usage('--inspect-body-limit must be a whole number of bytes');
  const inspectAddress = parseInspectAddress(values.inspect ?? '127.0.0.1:4040');
  if (!inspectAddress)
    return usage(
      `--inspect must be HOST:PORT or PORT, e.g. 127.0.0.1:4040, not ${JSON.stringify(values.inspect)}`,
    );
  const transport = values.transport ?? process.env['GATEHOUSE_TRANSPORT'] ?? 'raw';
  if (transport !== 'raw' && transport !== 'websocket')
    return usage(`--transport must be raw or websocket, not ${JSON.stringify(transport)}`);

  const json = values.json === true;
  const status = new StatusLine(process.stderr);
  const lines = new JsonLines(process.stdout);
  const emit: Emit = (event, fields, options) => {
    if (json) lines.write({ event, time: new Date().toISOString(), ...fields }, options);
  };
  const say = (text: string) => (json ? undefined : status.log(text));

  const logins = new SavedLogins(defaultConfigDir(process.env));
  const savedLogin = !key && !adminKey ? logins.get(server.origin) : undefined;
  if (!key && !adminKey && !savedLogin)
    return usage(
      `give the tunnel key with --key (or GATEHOUSE_KEY), an admin key to create the tunnel, or log in first: gatehouse login --server ${server.origin}`,
    );
  let ca: Buffer | undefined;
  if (values.ca) {
    try {
      ca = readFileSync(values.ca);
    } catch (error) {
      return usage(`cannot read --ca ${values.ca}: ${(error as Error).message}`);
    }
  }
  if (key && !name) return usage('give the tunnel name with --name (or GATEHOUSE_TUNNEL)');

  const local: LocalTarget | undefined = localUrl
    ? { url: new URL(localUrl), preserveHost: values['preserve-host'] === true, captureBytes }
    : undefined;
  const tlsLocal = tlsPassthrough && passthroughTargetText(tlsPassthrough);
  for (const [where, url, what] of [
    [local?.url.origin, local?.url, 'server'],
    [tlsLocal, tlsLocal && new URL(`tcp://${tlsLocal}`), 'TLS server (--tls-passthrough)'],
  ] as const) {
    if (!url || values['no-local-check'] || (await canConnect(url))) continue;
    const message = `nothing is listening at ${where}; start your ${what} first (or pass --no-local-check)`;
    complain(message);
    emit('fatal', { reason: 'local-unreachable', message });
    return 5;
  }

  const log = new ExchangeLog(200);
  let inspected: InspectedTunnel = {
    // A tunnel still to be created gets its name from the server.
    name: name ?? '',
    publicUrl: null,
    state: 'connecting',
    reason: null,
    since: new Date().toISOString(),
    local: local?.url.origin ?? '',
    server: server.origin,
  };
  const enter = (state: InspectedTunnel['state'], reason: string | null = null) => {
    const since = state === inspected.state ? inspected.since : new Date().toISOString();
    inspected = { ...inspected, state, reason, since };
  };
  const token = inspectorToken();
  let inspector: InspectorServer | undefined;
  // Passed-through connections stay encrypted: only HTTP requests have anything to inspect.
  if (!values['no-inspect'] && local) {
    try {
      inspector = await startInspector(inspectAddress, {
        tunnel: () => inspected,
        log,
        target: local,
        onReplay: (r) => log.add(r),
        token,
      });
    } catch (error) {
      complain(`${(error as Error).message}; give a free address with --inspect, or --no-inspect`);
      return 2;
    }
    // In the fragment, the token never reaches a server or its logs; the page hands it to the API.
    say(`Inspector: ${inspector.url}/#token=${token} (this run's token; the API wants it as a Bearer token)`);
  }
  // A key goes only to a server that has answered as Gatehouse's admin API: a mistyped --server
  // (the deployed app's own host, say) would otherwise simply receive it. One that is not up yet
  // is waited for, as the agent would wait, and is sent nothing meanwhile.
  let toldWaiting = false;
  const proof = await awaitAdminApi(server, {
    ca,
    retryForMs: retryFor * 1000,
    onWait: (error) => {
      if (toldWaiting) return;
      toldWaiting = true;
      say(
        `cannot reach ${server.origin} yet (${error}); retrying for up to ${retryFor || 'ever'}${retryFor ? ' s' : ''}`,
      );
    },
  });
  if (!proof.ok && proof.unreachable) {
    const message = fatalMessage(
      {
        kind: 'unreachable',
        message: `cannot reach ${server.origin} (${proof.error}); gave up after ${(proof.waitedMs / 1000).toFixed(1)} s`,
      },
      { server, name: name ?? '', retryForSeconds: retryFor },
    );
    complain(message);
    emit('fatal', { reason: 'unreachable', message });
    inspector?.close();
    return 3;
  }
  if (!proof.ok) {
    const message = `${proof.reason}. No key was sent. --server must be the Gatehouse admin host (its --domain), e.g. https://gatehouse.example.com`;
    complain(message);
    emit('fatal', { reason: 'not-gatehouse', message });
    inspector?.close();
    return 2;
  }
  if (!key && !savedLogin) {
    const created = await createTunnel(server, adminKey!, name);
    if ('exit' in created) {
      complain(created.message);
      emit('fatal', { reason: created.reason, message: created.message });
      inspector?.close();
      return created.exit;
    }
    name = created.name;
    inspected = { ...inspected, name };
    key = created.key;
    say(`Created tunnel ${name}. Its key (shown once; reuse it with --key): ${key}`);
    emit('created', { name, key });
  }
  // Given with --key (checked above), named by the server on creation, or, for a login, chosen
  // by the server (the person's first tunnel) unless --name says which of theirs.
  if (!name && !savedLogin) throw new Error('a tunnel without a name');
  const credential = savedLogin
    ? loginCredential(logins, savedLogin, { server, caFile: values.ca })
    : undefined;
  if (savedLogin) say(`Connecting as ${savedLogin.login} (gatehouse login)`);

  const inspectorUrl = inspector?.url;

  const agent = new TunnelAgent({
    server,
    name: name ?? '',
    key: key ?? '',
    credential,
    local,
    tlsPassthrough,
    version: VERSION,
    retryForMs: retryFor * 1000,
    transport,
    ca,
  });
  const counters = { requests: 0, connections: 0, bytesIn: 0, bytesOut: 0 };
  let state = 'connecting';
  const routes = () =>
    [
      local ? `${agent.publicUrl || name} → ${local.url.origin}` : '',
      tlsLocal ? `TLS ${agent.passthroughAddress ?? name} (not terminated) → ${tlsLocal}` : '',
    ]
      .filter(Boolean)
      .join('   ');
  const counts = () =>
    [
      local ? countOf(counters.requests, 'request') : '',
      tlsLocal ? countOf(counters.connections, 'TLS connection') : '',
    ]
      .filter(Boolean)
      .join('  ');
  const line = () =>
    `${state === 'online' ? '● online ' : `○ ${state}`}  ${routes()}` +
    `   ${counts()}  in ${formatBytes(counters.bytesIn)}  out ${formatBytes(counters.bytesOut)}` +
    (inspectorUrl ? `   inspector ${inspectorUrl}` : '');
  const render = () => status.update(line());
  agent.on('connecting', (attempt) => {
    emit('connecting', { attempt, server: server.origin });
    if (!json) render();
  });
  agent.on('online', (url) => {
    state = 'online';
    inspected = { ...inspected, publicUrl: url || null };
    enter('online');
    emit('online', {
      url,
      name,
      local: local?.url.origin ?? null,
      ...(tlsLocal ? { tlsPassthrough: agent.passthroughAddress ?? null, tlsLocal } : {}),
      inspector: inspectorUrl ?? null,
      ...(inspectorUrl ? { inspectorToken: token } : {}),
    });
    if (!json) render();
  });
  agent.on('offline', (reason, retryInMs) => {
    enter('offline', reason);
    state = `offline (${reason}; retrying in ${(retryInMs / 1000).toFixed(1)} s)`;
    emit('offline', { reason, retryInMs });
    if (!json) render();
  });
  agent.on('response', (record: ExchangeRecord) => {
    log.add(record);
    counters.requests++;
    counters.bytesIn += record.bytesIn;
    counters.bytesOut += record.bytesOut;
    emit(
      'request',
      {
        id: record.id,
        method: record.method,
        path: record.path,
        status: record.status,
        ms: record.durationMs,
        ...(record.error ? { error: record.error } : {}),
      },
      { batched: true },
    );
    if (!json) {
      if (record.error)
        say(`${record.method} ${record.path} → ${record.status}: local server ${record.error}`);
      status.progress(line());
    }
  });

  agent.on('passthrough', (record: PassthroughRecord) => {
    counters.connections++;
    counters.bytesIn += record.bytesIn;
    counters.bytesOut += record.bytesOut;
    emit(
      'connection',
      {
        id: record.id,
        ms: record.durationMs,
        bytesIn: record.bytesIn,
        bytesOut: record.bytesOut,
        whole: record.whole,
        ...(record.error ? { error: record.error } : {}),
      },
      { batched: true },
    );
    if (!json) {
      if (record.error) say(`TLS connection → ${tlsLocal}: ${record.error}`);
      status.progress(line());
    }
  });

  const stopReleasingMemory = releaseMemoryWhenIdle();
  const code = await new Promise<number>((resolve) => {
    agent.on('fatal', (reason: FatalReason) => {
      const message = fatalMessage(reason, { server, name: name!, retryForSeconds: retryFor });
      emit('fatal', { reason: reason.kind, message });
      status.done();
      complain(message);
      resolve(reason.kind === 'unreachable' ? 3 : reason.kind === 'passthrough-unavailable' ? 7 : 4);
    });
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      agent.stop();
      status.done();
      emit('stopped', {});
      resolve(0);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    agent.start();
  });
  stopReleasingMemory();
  inspector?.close();
  return code;
}
