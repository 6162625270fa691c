import { VERSION } from '../core/version.ts';
import { type FatalReason, TunnelAgent } from '../tunnel/agent/tunnel-agent.ts';
import { probeAdminApi } from './admin-probe.ts';
import { createOrReuseTunnel } from './tunnel-setup.ts';

/** What `dev-proxy start` needs to bring its tunnel online. */
export interface DevTunnelOptions {
  /** The Gatehouse that hosts tunnels (its admin host). */
  readonly server: URL;
  readonly name: string;
  /** The tunnel's own key, when the developer has it. */
  readonly key: string | undefined;
  /** An admin key to create the tunnel, or to give an existing one a new key. */
  readonly adminKey: string | undefined;
  readonly local: URL;
  readonly say: (line: string) => void;
}

/**
 * Brings the developer's tunnel online. The server must first prove it is Gatehouse's admin API;
 * only then is a key sent. Without the tunnel's key, the admin key creates the tunnel, or, when it
 * exists already (an earlier run), gives it a new key: running the same command again just works.
 */
export async function openDevTunnel(
  options: DevTunnelOptions,
): Promise<{ agent: TunnelAgent } | { exit: number; message: string }> {
  const { server, name, say } = options;
  const probe = await probeAdminApi(server);
  if (!probe.ok) {
    return {
      exit: probe.unreachable ? 3 : 2,
      message: `${probe.reason}. No key was sent. Give the Gatehouse that hosts your tunnel with --server (or GATEHOUSE_SERVER).`,
    };
  }
  let key = options.key;
  if (!key) {
    if (!options.adminKey)
      return { exit: 2, message: 'give the tunnel key (--key) or an admin key (--admin-key)' };
    const made = await createOrReuseTunnel(server, options.adminKey, name);
    if ('exit' in made) return made;
    key = made.key;
    say(`${made.reused ? 'Reusing' : 'Created'} tunnel ${name}; its key (reuse with --key): ${key}`);
  }
  const agent = new TunnelAgent({
    server,
    name,
    key,
    local: { url: options.local, preserveHost: false, captureBytes: 0 },
    version: VERSION,
  });
  const failed = await new Promise<FatalReason | undefined>((resolve) => {
    agent.once('online', () => resolve(undefined));
    agent.once('fatal', resolve);
    agent.start();
  });
  if (failed) {
    agent.stop();
    return {
      exit: failed.kind === 'unreachable' ? 3 : 4,
      message: `the tunnel could not start: ${failed.message}`,
    };
  }
  return { agent };
}
