import { lookup } from 'node:dns/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import { BodyTooLargeError, readBoundedBody } from '../core/bounded-body.ts';
import { type Clock, dateOf, systemClock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import type { ProxyHandler } from '../edge/proxy/proxy-handler.ts';
import { sendEdgeError } from '../http/error-page.ts';
import { sendJsonError } from '../http/error-response.ts';
import { answerError, type RequestExchange, type UpgradeExchange } from '../http/exchange.ts';
import { isPublicAddress } from '../http/public-address.ts';
import { pathHasPrefix, type RequestTarget } from '../http/request-target.ts';
import type { RelayGlobals } from '../routes/relay-settings.ts';
import type { RelayRoute } from '../routes/routed.ts';
import type { Store } from '../store/types.ts';
import type { TunnelService } from '../tunnel/server/tunnel-service.ts';
import { RelayError } from './errors.ts';
import { learningTap } from './learning-tap.ts';
import { RelayRegistry } from './registrations.ts';
import { createRelayApi, RELAY_API_MAX_BODY_BYTES, SELECT_COOKIE } from './relay-api.ts';
import { RELAY_HEADERS, relayHeaders } from './relay-headers.ts';
import { relayRequestHeaders } from './relay-request-headers.ts';
import { relayToUrl, type UrlRelayNetwork } from './relay-to-url.ts';
import { WebhookRelay } from './webhook-relay.ts';

/** What the relay needs from the rest of Gatehouse, passed in. */
export interface RelayDeps {
  readonly store: Store;
  readonly tunnels: TunnelService;
  /** Where everything that is not the relay's goes: the route's own upstream. */
  readonly upstream: ProxyHandler;
  readonly globals: RelayGlobals;
  readonly logger: Logger;
  readonly trustForwarded: boolean;
  readonly clock?: Clock;
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
  readonly #clock: Clock;
  readonly #network: UrlRelayNetwork;
  readonly #api = createRelayApi();
  /** Webhooks: delivery, the record of each, replay. */
  readonly webhooks: WebhookRelay;

  constructor(deps: RelayDeps) {
    this.#deps = deps;
    const clock = deps.clock ?? systemClock;
    this.#now = () => dateOf(clock);
    this.#clock = clock;
    this.#network = {
      resolve: deps.network?.resolve ?? ((host) => lookup(host, { all: true })),
      addressAllowed: deps.network?.addressAllowed ?? isPublicAddress,
      ca: deps.network?.ca,
    };
    this.webhooks = new WebhookRelay({
      store: deps.store,
      tunnels: deps.tunnels,
      globals: deps.globals,
      network: this.#network,
      trustForwarded: deps.trustForwarded,
      clock,
    });
  }

  /**
   * Answers a request on a relay route: the registration API, a webhook, a callback or browser
   * request that belongs to a developer; everything else goes to the route's own upstream.
   */
  async handle(exchange: RequestExchange, route: RelayRoute): Promise<void> {
    const { req, res, target, client } = exchange;
    const local = () => this.#deps.upstream.request(exchange, { kind: 'proxy', route });
    const settings = route.relay;
    const globals = this.#deps.globals;
    if (pathHasPrefix(target.path, settings.prefix)) {
      if (!globals.active) {
        // A JSON API, so a JSON answer whatever the client accepts.
        sendJsonError(res, new RelayError('RELAY_DISABLED', 'the dev-proxy relay is not enabled here'));
        return;
      }
      await this.#serveApi(req, res, route, target);
      return;
    }
    if (!globals.active || !globals.secret) return local();

    const registry = new RelayRegistry(this.#deps.store.ephemeral, route.host);
    const webhooks = settings.webhooks;
    if (webhooks?.paths.some((p) => pathHasPrefix(target.path, p))) {
      await this.webhooks.handle(req, res, route, webhooks, target, client, registry);
      return;
    }
    const developerId = await this.#developerFor(req, route, target, registry);
    if (!developerId) return local();
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
      return;
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
      await this.#deps.tunnels.forward(exchange, registration.target.name, {
        rewriteHeaders: (headers) => {
          for (const name of RELAY_HEADERS) delete headers[name];
          Object.assign(headers, signed);
        },
        responseTap: tap,
      });
      return;
    }
    try {
      await relayToUrl(
        req,
        res,
        registration.target.url,
        pathAndQuery,
        { ...relayRequestHeaders(req, client, this.#deps.trustForwarded), ...signed },
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
  }

  /**
   * An upgrade (WebSocket) on a relay route: a browser pinned to a developer (header or cookie)
   * reaches that developer's tunnel, signed like any relayed request; everything else goes to
   * the route's own upstream.
   */
  async handleUpgrade(exchange: UpgradeExchange, route: RelayRoute): Promise<void> {
    const { req, target } = exchange;
    const globals = this.#deps.globals;
    const local = () => this.#deps.upstream.upgrade(exchange, { kind: 'proxy', route });
    if (!globals.active || !globals.secret || pathHasPrefix(target.path, route.relay.prefix)) return local();
    const registry = new RelayRegistry(this.#deps.store.ephemeral, route.host);
    const developerId = await this.#developerFor(req, route, target, registry);
    if (!developerId) return local();
    const registration = await registry.get(developerId);
    if (!registration) {
      answerError(
        exchange,
        new RelayError(
          'RELAY_NOT_REGISTERED',
          `Developer ${developerId} is no longer registered with the relay.`,
        ),
      );
      return;
    }
    if (registration.target.kind !== 'tunnel') {
      answerError(
        exchange,
        new RelayError(
          'RELAY_TARGET_UNREACHABLE',
          `Developer ${developerId} is registered with a URL; WebSocket upgrades are relayed only to Gatehouse tunnels (register with "tunnel").`,
        ),
      );
      return;
    }
    const signed = relayHeaders(
      globals.secret,
      developerId,
      req.method ?? 'GET',
      target.path + target.search,
      this.#now().getTime(),
    );
    await this.#deps.tunnels.forwardUpgrade(exchange, registration.target.name, {
      rewriteHeaders: (headers) => {
        for (const name of RELAY_HEADERS) delete headers[name];
        Object.assign(headers, signed);
      },
    });
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

  async #serveApi(
    req: IncomingMessage,
    res: ServerResponse,
    route: RelayRoute,
    target: RequestTarget,
  ): Promise<void> {
    // Read (bounded) before anything else: this API answers without authentication.
    let body: Buffer;
    try {
      body = await readBoundedBody(req, RELAY_API_MAX_BODY_BYTES);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) {
        res.destroy();
        return;
      }
      // The rest of the body stays unread: close rather than drain it.
      res.shouldKeepAlive = false;
      sendJsonError(
        res,
        new RelayError(
          'RELAY_BODY_TOO_LARGE',
          `the body is larger than the relay API's limit of ${error.limit} bytes; send a smaller request`,
        ),
      );
      return;
    }
    const context = {
      routeId: route.id,
      settings: route.relay,
      globals: this.#deps.globals,
      registry: new RelayRegistry(this.#deps.store.ephemeral, route.host),
      store: this.#deps.store,
      clock: this.#clock,
    };
    const sub = target.path.slice(route.relay.prefix.length) || '/';
    const listener = getRequestListener((request) => {
      const url = new URL(request.url);
      url.pathname = sub;
      const init: RequestInit = { method: request.method, headers: request.headers };
      if (body.length > 0) init.body = body;
      return this.#api.fetch(new Request(url, init), { relay: context });
    });
    await listener(req, res);
  }
}

export { SELECT_COOKIE };
