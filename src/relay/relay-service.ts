import { lookup } from 'node:dns/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { sendEdgeError } from '../edge/error-page.ts';
import type { ClientInfo } from '../edge/forwarded.ts';
import { endToEndHeaders } from '../edge/hop-by-hop.ts';
import { planRequestHeaders } from '../edge/request-header-plan.ts';
import { pathHasPrefix, type RequestTarget } from '../edge/request-target.ts';
import type { Route } from '../edge/route.ts';
import type { Logger } from '../observability/logger.ts';
import type { Store } from '../store/types.ts';
import type { TunnelService } from '../tunnel/tunnel-service.ts';
import { RelayError } from './errors.ts';
import { learningTap } from './learning-tap.ts';
import { RelayRegistry } from './registrations.ts';
import { createRelayApi, SELECT_COOKIE } from './relay-api.ts';
import { RELAY_HEADERS, relayHeaders } from './relay-headers.ts';
import type { RelayGlobals, RouteRelaySettings } from './relay-settings.ts';
import { relayToUrl, type UrlRelayNetwork } from './relay-to-url.ts';
import { isPublicAddress } from './target-policy.ts';

/** A route with relay settings. */
export type RelayRoute = Route & { readonly relay: RouteRelaySettings };

/** What the relay needs from the rest of Gatehouse, passed in. */
export interface RelayDeps {
  readonly store: Store;
  readonly tunnels: TunnelService;
  readonly globals: RelayGlobals;
  readonly logger: Logger;
  readonly trustForwarded: boolean;
  readonly now?: () => Date;
  /** How URL targets are resolved and which addresses may be used (public only unless a test says otherwise). */
  readonly network?: Partial<UrlRelayNetwork>;
}

/**
 * The callback relay of one Gatehouse: on a relay route it serves the registration API, sends a
 * callback to the developer its state maps to (or a browser to the developer it selected), and
 * leaves everything else to the route's own upstream.
 */
export class RelayService {
  readonly #deps: RelayDeps;
  readonly #now: () => Date;
  readonly #network: UrlRelayNetwork;
  readonly #api = createRelayApi();

  constructor(deps: RelayDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? (() => new Date());
    this.#network = {
      resolve: deps.network?.resolve ?? ((host) => lookup(host, { all: true })),
      addressAllowed: deps.network?.addressAllowed ?? isPublicAddress,
      ca: deps.network?.ca,
    };
  }

  /** Handles the request if it is the relay's; false means "process locally" (the route's upstream). */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    route: RelayRoute,
    target: RequestTarget,
    client: ClientInfo,
  ): Promise<boolean> {
    const settings = route.relay;
    const globals = this.#deps.globals;
    if (pathHasPrefix(target.path, settings.prefix)) {
      if (!globals.active) {
        // A JSON API, so a JSON answer whatever the client accepts.
        const body = JSON.stringify({
          error: 'RELAY_DISABLED',
          message: 'the dev-proxy relay is not enabled here',
        });
        res
          .writeHead(404, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
          .end(body);
        return true;
      }
      await this.#serveApi(req, res, route, target);
      return true;
    }
    if (!globals.active || !globals.secret) return false;

    const registry = new RelayRegistry(this.#deps.store.ephemeral, route.id);
    const developerId = await this.#developerFor(req, route, target, registry);
    if (!developerId) return false;
    const registration = await registry.get(developerId);
    if (!registration) {
      sendEdgeError(
        req,
        res,
        new RelayError(
          'RELAY_NOT_REGISTERED',
          `Developer ${developerId} is no longer registered with the relay.`,
        ),
      );
      return true;
    }

    const pathAndQuery = target.path + target.search;
    const signed = relayHeaders(
      globals.secret,
      developerId,
      req.method ?? 'GET',
      pathAndQuery,
      this.#now().getTime(),
    );
    const tap = (headers: Record<string, string | string[]>) =>
      learningTap(headers, settings.stateParam, settings.learnBodyLimit, async (states) => {
        for (const state of states) await registry.mapState(state, developerId, settings.stateTtlSeconds);
        this.#deps.logger.info({ developer: developerId, states: states.length }, 'relay learned states');
      });
    this.#deps.logger.info(
      { developer: developerId, path: target.path, target: registration.target.kind },
      'relaying',
    );

    if (registration.target.kind === 'tunnel') {
      await this.#deps.tunnels.forward(
        req,
        res,
        registration.target.name,
        target,
        client,
        this.#deps.trustForwarded,
        {
          rewriteHeaders: (headers) => {
            for (const name of RELAY_HEADERS) delete headers[name];
            Object.assign(headers, signed);
          },
          responseTap: tap,
        },
      );
      return true;
    }
    try {
      await relayToUrl(
        req,
        res,
        registration.target.url,
        pathAndQuery,
        this.#urlHeaders(req, client, signed),
        this.#network,
        tap,
      );
    } catch (error) {
      if (res.headersSent) res.destroy();
      else
        sendEdgeError(
          req,
          res,
          new RelayError(
            'RELAY_TARGET_UNREACHABLE',
            error instanceof RelayError
              ? `The developer's endpoint was refused: ${error.message}.`
              : `The developer's endpoint could not be reached.`,
            { cause: error },
          ),
        );
    }
    return true;
  }

  /** Which developer a request belongs to: a callback's state, then the header, then the cookie. */
  async #developerFor(
    req: IncomingMessage,
    route: RelayRoute,
    target: RequestTarget,
    registry: RelayRegistry,
  ): Promise<string | undefined> {
    const settings = route.relay;
    if (settings.callbackPaths.some((p) => target.path === p)) {
      const state = new URLSearchParams(target.search).get(settings.stateParam);
      if (state) {
        const developer = await registry.consumeState(state, this.#now());
        if (developer) return developer;
      }
      return undefined;
    }
    const header = req.headers['x-dev-proxy-target'];
    if (typeof header === 'string' && header) return header;
    const cookie = /(?:^|;\s*)gatehouse_dev_proxy=([A-Za-z0-9._-]{1,100})/.exec(
      req.headers.cookie ?? '',
    )?.[1];
    if (cookie && (await registry.get(cookie))) return cookie;
    return undefined;
  }

  #urlHeaders(
    req: IncomingMessage,
    client: ClientInfo,
    signed: Record<string, string>,
  ): Record<string, string | string[]> {
    const plan = planRequestHeaders(req.rawHeaders, client, this.#deps.trustForwarded);
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(endToEndHeaders(req.headers))) {
      if (plan.stops(name) || (RELAY_HEADERS as readonly string[]).includes(name)) continue;
      out[name] = value;
    }
    for (const [name, value] of plan.forwarding) out[name] = value;
    return { ...out, ...signed };
  }

  async #serveApi(
    req: IncomingMessage,
    res: ServerResponse,
    route: RelayRoute,
    target: RequestTarget,
  ): Promise<void> {
    const context = {
      routeId: route.id,
      settings: route.relay,
      globals: this.#deps.globals,
      registry: new RelayRegistry(this.#deps.store.ephemeral, route.id),
      store: this.#deps.store,
      now: this.#now,
    };
    const sub = target.path.slice(route.relay.prefix.length) || '/';
    const listener = getRequestListener((request) => {
      const url = new URL(request.url);
      url.pathname = sub;
      const init: RequestInit & { duplex?: 'half' } = { method: request.method, headers: request.headers };
      if (request.body) {
        init.body = request.body;
        init.duplex = 'half';
      }
      return this.#api.fetch(new Request(url, init), { relay: context });
    });
    await listener(req, res);
  }
}

/** True when a route has relay settings. */
export function isRelayRoute(route: Route): route is RelayRoute {
  return (route as { relay?: unknown }).relay !== undefined;
}

export { SELECT_COOKIE };
