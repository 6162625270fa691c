import { lookup } from 'node:dns/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { getRequestListener } from '@hono/node-server';
import type { ProxyHandler } from '../edge/proxy-handler.ts';
import { sendEdgeError } from '../http/error-page.ts';
import { sendJsonError } from '../http/error-response.ts';
import { answerError, type RequestExchange, type UpgradeExchange } from '../http/exchange.ts';
import type { ClientInfo } from '../http/forwarded.ts';
import { endToEndHeaders } from '../http/hop-by-hop.ts';
import { planRequestHeaders } from '../http/request-header-plan.ts';
import { pathHasPrefix, type RequestTarget } from '../http/request-target.ts';
import type { Logger } from '../observability/logger.ts';
import type { RelayGlobals, WebhookSettings } from '../routes/relay-settings.ts';
import type { Route } from '../routes/route.ts';
import type { RelayRoute } from '../routes/routed.ts';
import type { Store } from '../store/types.ts';
import type { TunnelService } from '../tunnel/tunnel-service.ts';
import { BodyTooLargeError, readBoundedBody } from '../util/bounded-body.ts';
import { type Clock, dateOf, systemClock } from '../util/clock.ts';
import { newId } from '../util/ids.ts';
import { type BufferedRequest, type BufferedResponse, deliver, sendBuffered } from './deliver.ts';
import {
  DeliveryLog,
  type DeliveryRecord,
  type DeliveryResult,
  recordHeaders,
  replayHeaders,
} from './deliveries.ts';
import { RelayError } from './errors.ts';
import { learningTap } from './learning-tap.ts';
import { RelayRegistry } from './registrations.ts';
import { createRelayApi, RELAY_API_MAX_BODY_BYTES, SELECT_COOKIE } from './relay-api.ts';
import { RELAY_HEADERS, relayHeaders } from './relay-headers.ts';
import { relayToUrl, type UrlRelayNetwork } from './relay-to-url.ts';
import { isPublicAddress } from './target-policy.ts';
import { selectDevelopers } from './webhook-select.ts';

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
      await this.#webhook(req, res, route, webhooks, target, client, registry);
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

  /**
   * A webhook: read it whole (bounded), pick its developers, deliver the original bytes to each,
   * record what happened, and answer the provider: the route's upstream when no developer is
   * selected, the developer's own answer when there is one, else (a broadcast, or a developer
   * not registered or unreachable) 202 with a summary naming the delivery.
   */
  async #webhook(
    req: IncomingMessage,
    res: ServerResponse,
    route: RelayRoute,
    webhooks: WebhookSettings,
    target: RequestTarget,
    client: ClientInfo,
    registry: RelayRegistry,
  ): Promise<void> {
    let body: Buffer;
    try {
      body = await readBoundedBody(req, webhooks.maxBodyBytes);
    } catch (error) {
      if (!(error instanceof BodyTooLargeError)) {
        res.destroy();
        return;
      }
      sendEdgeError(
        req,
        res,
        new RelayError(
          'RELAY_BODY_TOO_LARGE',
          `The webhook body is larger than ${error.limit} bytes, this route's relay.webhooks.maxBodyBytes.`,
        ),
      );
      return;
    }
    const buffered: BufferedRequest = {
      method: req.method ?? 'POST',
      pathAndQuery: target.path + target.search,
      authority: client.host,
      headers: this.#urlHeaders(req, client, {}),
      body,
    };
    const now = this.#now();
    const record: DeliveryRecord = {
      id: newId(now.getTime()),
      receivedAt: now.toISOString(),
      method: buffered.method,
      pathAndQuery: buffered.pathAndQuery,
      authority: buffered.authority,
      // Credentials are shown redacted and kept encrypted, for replay only.
      ...recordHeaders(buffered.headers, this.#deps.globals.secret ?? '', webhooks.redactHeaders),
      body: body.subarray(0, webhooks.recordBodyBytes).toString('base64'),
      bodyBytes: body.length,
      truncated: body.length > webhooks.recordBodyBytes,
      results: [],
    };
    const selected = selectDevelopers(webhooks, { headers: req.headers, search: target.search, body });
    const developers = selected === 'all' ? (await registry.list()).map((r) => r.developerId) : selected;
    const log = new DeliveryLog(this.#deps.store.ephemeral, route.id);
    await log.saveBody(record.id, body);

    if (developers.length === 0 && selected !== 'all') {
      // Nobody selected: the deployed app handles it, as any other request.
      const answer = await sendBuffered(
        new URL(buffered.pathAndQuery, route.target).toString(),
        buffered.headers,
        buffered,
        undefined,
        1024 * 1024,
      ).catch((error: unknown) => ({ error }));
      record.results.push(
        'error' in answer
          ? { developer: 'local', status: 502, at: now.toISOString(), error: String(answer.error) }
          : { developer: 'local', status: answer.status, at: now.toISOString() },
      );
      await log.save(record);
      if ('error' in answer)
        sendEdgeError(
          req,
          res,
          new RelayError('RELAY_TARGET_UNREACHABLE', 'The route’s upstream could not be reached.'),
        );
      else res.writeHead(answer.status, answer.headers).end(answer.body);
      return;
    }

    const answers = await Promise.all(
      developers.map((developer) => this.#deliverTo(registry, developer, buffered)),
    );
    for (const answer of answers) record.results.push(answer.result);
    await log.save(record);
    if (selected !== 'all' && answers[0]?.response) {
      const { status, headers, body: answerBody } = answers[0].response;
      res.writeHead(status, headers).end(answerBody);
      return;
    }
    // A broadcast, or a developer who did not answer (not registered, unreachable): the provider
    // hears that the delivery was kept, as replay can hand it on later.
    const summary = JSON.stringify({ delivery: record.id, delivered: record.results });
    res
      .writeHead(202, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(summary) })
      .end(summary);
  }

  /** Delivers a buffered request to one developer; never throws, the outcome is in `result`. */
  async #deliverTo(
    registry: RelayRegistry,
    developer: string,
    buffered: BufferedRequest,
    replay = false,
  ): Promise<{ result: DeliveryResult; response?: BufferedResponse }> {
    const at = this.#now().toISOString();
    const registration = await registry.get(developer);
    if (!registration)
      return {
        result: { developer, status: 404, at, error: 'not registered', ...(replay ? { replay } : {}) },
      };
    const signed = relayHeaders(
      this.#deps.globals.secret ?? '',
      developer,
      buffered.method,
      buffered.pathAndQuery,
      this.#now().getTime(),
    );
    try {
      const response = await deliver(
        registration.target,
        { ...buffered, headers: { ...buffered.headers, ...signed } },
        {
          tunnels: this.#deps.tunnels,
          network: this.#network,
          capBytes: 1024 * 1024,
        },
      );
      return { result: { developer, status: response.status, at, ...(replay ? { replay } : {}) }, response };
    } catch (error) {
      return {
        result: {
          developer,
          status: 502,
          at,
          error: error instanceof Error ? error.message : String(error),
          ...(replay ? { replay } : {}),
        },
      };
    }
  }

  /** Sends a recorded webhook again, to the developer named; the attempt is added to the record. */
  async replay(route: Route, deliveryId: string, developer: string): Promise<DeliveryResult> {
    const log = new DeliveryLog(this.#deps.store.ephemeral, route.id);
    const record = await log.get(deliveryId);
    if (!record)
      throw new RelayError('RELAY_DELIVERY_NOT_FOUND', `no delivery ${deliveryId} on route ${route.id}`);
    const body =
      (await log.body(deliveryId)) ?? (record.truncated ? undefined : Buffer.from(record.body, 'base64'));
    if (!body) {
      throw new RelayError(
        'RELAY_REPLAY_IMPOSSIBLE',
        `delivery ${deliveryId} kept only part of its body, so it cannot be replayed`,
      );
    }
    const headers = replayHeaders(record, this.#deps.globals.secret ?? '');
    if (!headers) {
      throw new RelayError(
        'RELAY_REPLAY_IMPOSSIBLE',
        `delivery ${deliveryId} was recorded under another relay secret, so its credential headers cannot be restored`,
      );
    }
    const registry = new RelayRegistry(this.#deps.store.ephemeral, route.host);
    const { result } = await this.#deliverTo(
      registry,
      developer,
      {
        method: record.method,
        pathAndQuery: record.pathAndQuery,
        authority: record.authority,
        headers,
        body,
      },
      true,
    );
    await log.save({ ...record, results: [...record.results, result] });
    return result;
  }

  /** The recorded webhooks of a route, newest first. */
  deliveries(routeId: string, limit = 100): Promise<DeliveryRecord[]> {
    return new DeliveryLog(this.#deps.store.ephemeral, routeId).list(limit);
  }

  /** One recorded webhook, with its whole body. */
  async delivery(routeId: string, id: string): Promise<DeliveryRecord | undefined> {
    const log = new DeliveryLog(this.#deps.store.ephemeral, routeId);
    const record = await log.get(id);
    const body = record && (await log.body(id));
    return record && body ? { ...record, body: body.toString('base64'), truncated: false } : record;
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
