import type { Mount } from '../../routes/mount.ts';
import type { RouteHandler } from '../../routes/route-handler.ts';
import type { Routed } from '../../routes/routed.ts';
import { CONNECT_PATH } from '../protocol/protocol.ts';
import { NODE_LINK_PATH } from './node-links.ts';
import type { TunnelService } from './tunnel-service.ts';

/** Answers exchanges routed to a tunnel: its own host, or a route that names it. */
export function tunnelHandler(tunnels: TunnelService): RouteHandler<Extract<Routed, { kind: 'tunnel' }>> {
  return {
    request: (exchange, routed) => tunnels.forward(exchange, routed.tunnel),
    upgrade: (exchange, routed) => tunnels.forwardUpgrade(exchange, routed.tunnel),
  };
}

/** The endpoint agents connect to, on the admin hosts: an upgrade authenticated before it happens. */
export function tunnelConnectMount(tunnels: TunnelService): Mount {
  return {
    kind: 'tunnel-connect',
    hosts: 'admin',
    paths: { exact: [CONNECT_PATH] },
    upgrade: (exchange) => tunnels.connections.handle(exchange),
  };
}

/** The endpoint the other nodes of a deployment link to, on the admin hosts (only with several nodes). */
export function nodeLinkMount(tunnels: TunnelService): Mount[] {
  const links = tunnels.links;
  if (!links) return [];
  return [
    {
      kind: 'node-link',
      hosts: 'admin',
      paths: { exact: [NODE_LINK_PATH] },
      upgrade: (e) => links.handle(e),
    },
  ];
}
