import { once } from 'node:events';
import { TunnelAgent } from '../../src/tunnel/agent/tunnel-agent.ts';
import type { TestGateway } from './gateway.ts';

/** Creates a tunnel through the admin API; returns its name and key. */
export async function createTunnel(
  gw: TestGateway,
  name?: string,
): Promise<{ name: string; key: string; url: string }> {
  const res = await gw.api('POST', '/api/v1/tunnels/', name ? { name } : {});
  if (res.status !== 201)
    throw new Error(`creating tunnel failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { name: res.body.name, key: res.body.key, url: res.body.url };
}

/** Starts an in-process agent for the tunnel and resolves once it is online. */
export async function startAgent(
  gw: TestGateway,
  tunnel: { name: string; key: string },
  localUrl: string,
  options: {
    preserveHost?: boolean;
    heartbeatMs?: number;
    server?: string;
    ca?: Buffer;
    transport?: 'raw' | 'websocket';
    backoffBaseMs?: number;
  } = {},
): Promise<TunnelAgent> {
  const agent = new TunnelAgent({
    server: new URL(options.server ?? gw.url),
    name: tunnel.name,
    key: tunnel.key,
    local: { url: new URL(localUrl), preserveHost: options.preserveHost ?? false, captureBytes: 4096 },
    version: 'test',
    backoffBaseMs: options.backoffBaseMs ?? 50,
    backoffCapMs: Math.max(500, options.backoffBaseMs ?? 0),
    ...(options.heartbeatMs ? { heartbeatMs: options.heartbeatMs } : {}),
    ...(options.ca ? { ca: options.ca } : {}),
    ...(options.transport ? { transport: options.transport } : {}),
  });
  agent.start();
  await once(agent, 'online');
  return agent;
}
