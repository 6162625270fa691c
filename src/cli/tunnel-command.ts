import { readFileSync } from 'node:fs';
import type { Configuration } from 'openid-client';
import { releaseMemoryWhenIdle } from '../core/idle-memory.ts';
import { VERSION } from '../core/version.ts';
import { ExchangeLog } from '../tunnel/agent/exchange-log.ts';
import { type InspectedTunnel, inspectorToken } from '../tunnel/agent/inspector.ts';
import { type FatalReason, TunnelAgent } from '../tunnel/agent/tunnel-agent.ts';
import { awaitAdminApi } from './admin-probe.ts';
import { discover, freshLogin, type ServerAccess } from './device-login.ts';
import { type InspectorServer, startInspector } from './inspector-server.ts';
import { defaultConfigDir, type SavedLogin, SavedLogins } from './saved-logins.ts';
import { parseTunnelArgs, TUNNEL } from './tunnel-args.ts';
import { fatalMessage } from './tunnel-messages.ts';
import { passthroughTargetText } from './tunnel-passthrough.ts';
import { canConnect, createOrReuseTunnel } from './tunnel-setup.ts';
import { TunnelView } from './tunnel-view.ts';

/** `gatehouse tunnel --help`. */
export const TUNNEL_HELP = TUNNEL.help;

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
  const args = parseTunnelArgs(argv, process.env);
  if ('help' in args) {
    process.stdout.write(TUNNEL_HELP);
    return 0;
  }
  const view = new TunnelView('json' in args && args.json);
  const usage = (message: string) => {
    view.complain(`${message}\n\nRun 'gatehouse tunnel --help' for usage.`);
    return 2;
  };
  if ('problem' in args) return usage(args.problem);
  const { server, local, tlsPassthrough, adminKey, retryForSeconds: retryFor } = args;
  let { name, key } = args;

  const logins = new SavedLogins(defaultConfigDir(process.env));
  const savedLogin = !key && !adminKey ? logins.get(server.origin) : undefined;
  if (!key && !adminKey && !savedLogin)
    return usage(
      `give the tunnel key with --key (or GATEHOUSE_KEY), an admin key to create the tunnel, or log in first: gatehouse login --server ${server.origin}`,
    );
  let ca: Buffer | undefined;
  if (args.caFile) {
    try {
      ca = readFileSync(args.caFile);
    } catch (error) {
      return usage(`cannot read --ca ${args.caFile}: ${(error as Error).message}`);
    }
  }

  const tlsLocal = tlsPassthrough && passthroughTargetText(tlsPassthrough);
  for (const [where, url, what] of [
    [local?.url.origin, local?.url, 'server'],
    [tlsLocal, tlsLocal && new URL(`tcp://${tlsLocal}`), 'TLS server (--tls-passthrough)'],
  ] as const) {
    if (!url || !args.localCheck || (await canConnect(url))) continue;
    view.fatal(
      'local-unreachable',
      `nothing is listening at ${where}; start your ${what} first (or pass --no-local-check)`,
    );
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
  if (args.inspect && local) {
    try {
      inspector = await startInspector(args.inspect, {
        tunnel: () => inspected,
        log,
        target: local,
        onReplay: (r) => {
          log.add(r);
          view.replay(r);
        },
        token,
      });
    } catch (error) {
      view.complain(`${(error as Error).message}; give a free address with --inspect, or --no-inspect`);
      return 2;
    }
    // In the fragment, the token never reaches a server or its logs; the page hands it to the API.
    view.say(
      `Inspector: ${inspector.url}/#token=${token} (this run's token; the API wants it as a Bearer token)`,
    );
  }
  const fail = (reason: string, message: string, exit: number) => {
    view.fatal(reason, message);
    inspector?.close();
    return exit;
  };
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
      view.say(
        `cannot reach ${server.origin} yet (${error}); retrying for up to ${retryFor || 'ever'}${retryFor ? ' s' : ''}`,
      );
    },
  });
  if (!proof.ok && proof.unreachable) {
    const message = fatalMessage(
      proof.permanent
        ? { kind: 'unreachable', permanent: true, message: `cannot reach ${server.origin}: ${proof.error}` }
        : {
            kind: 'unreachable',
            message: `cannot reach ${server.origin} (${proof.error}); gave up after ${(proof.waitedMs / 1000).toFixed(1)} s`,
          },
      { server, name: name ?? '', retryForSeconds: retryFor },
    );
    return fail('unreachable', message, 3);
  }
  if (!proof.ok) {
    const message = `${proof.reason}. No key was sent. --server must be the Gatehouse admin host (its --domain), e.g. https://gatehouse.example.com`;
    return fail('not-gatehouse', message, 2);
  }
  if (!key && !savedLogin && adminKey) {
    // A tunnel this name already has (an earlier run's) gets a new key: the command reruns as is.
    const created = await createOrReuseTunnel(server, adminKey, name, ca);
    if ('exit' in created) return fail(created.reason, created.message, created.exit);
    name = created.name;
    inspected = { ...inspected, name };
    key = created.key;
    view.say(
      created.reused
        ? `Reusing tunnel ${name} with a new key (the earlier one no longer works; reuse this with --key): ${key}`
        : `Created tunnel ${name}. Its key (shown once; reuse it with --key): ${key}`,
    );
    view.emit('created', { name, key, reused: created.reused === true });
  }
  const credential = savedLogin
    ? loginCredential(logins, savedLogin, { server, caFile: args.caFile })
    : undefined;
  if (savedLogin) view.say(`Connecting as ${savedLogin.login} (gatehouse login)`);

  // Given with --key, named by the server on creation, or, for a login, chosen by the server (the
  // person's first tunnel) unless --name says which of theirs.
  const agent = new TunnelAgent({
    server,
    name: name ?? '',
    key: key ?? '',
    credential,
    local,
    tlsPassthrough,
    version: VERSION,
    retryForMs: retryFor * 1000,
    transport: args.transport,
    ca,
  });
  view.showRoutes({
    // A login's tunnel is named by the server when it connects; until then it is just "yours".
    publicName: () => agent.publicUrl || name || (savedLogin ? 'your tunnel' : ''),
    localOrigin: local?.url.origin,
    passthroughName: () => agent.passthroughAddress ?? name ?? (savedLogin ? 'your tunnel' : ''),
    tlsLocal,
    inspectorUrl: () => inspector?.url,
  });
  agent.on('connecting', (attempt) => view.connecting(attempt, server.origin));
  agent.on('online', (url) => {
    inspected = { ...inspected, publicUrl: url || null };
    enter('online');
    view.online({
      url,
      name,
      local: local?.url.origin ?? null,
      ...(tlsLocal ? { tlsPassthrough: agent.passthroughAddress ?? null, tlsLocal } : {}),
      inspector: inspector?.url ?? null,
      ...(inspector ? { inspectorToken: token } : {}),
    });
  });
  agent.on('offline', (reason, retryInMs) => {
    enter('offline', reason);
    view.offline(reason, retryInMs);
  });
  agent.on('response', (record) => {
    log.add(record);
    view.request(record);
  });
  agent.on('passthrough', (record) => view.connection(record));

  const stopReleasingMemory = releaseMemoryWhenIdle();
  const code = await new Promise<number>((resolve) => {
    agent.on('fatal', (reason: FatalReason) => {
      view.fatal(
        reason.kind,
        fatalMessage(reason, {
          server,
          name: name ?? '',
          retryForSeconds: retryFor,
          login: savedLogin?.login,
        }),
      );
      resolve(reason.kind === 'unreachable' ? 3 : reason.kind === 'passthrough-unavailable' ? 7 : 4);
    });
    const onSignal = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      agent.stop();
      view.stopped();
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
