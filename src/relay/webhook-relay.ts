import type { IncomingMessage, ServerResponse } from 'node:http';
import { BodyTooLargeError, readBoundedBody } from '../core/bounded-body.ts';
import { type Clock, dateOf } from '../core/clock.ts';
import { newId } from '../core/ids.ts';
import {
  downstreamResponseHeaders,
  upstreamPath,
  upstreamRequestHeaders,
} from '../edge/proxy/upstream-headers.ts';
import { sendEdgeError } from '../http/error-page.ts';
import type { ClientInfo } from '../http/forwarded.ts';
import type { RequestTarget } from '../http/request-target.ts';
import type { RelayGlobals, WebhookSettings } from '../routes/relay-settings.ts';
import type { Route } from '../routes/route.ts';
import { targetOf } from '../routes/route-target.ts';
import type { RelayRoute } from '../routes/routed.ts';
import type { Store } from '../store/types.ts';
import type { TunnelService } from '../tunnel/server/tunnel-service.ts';
import { type BufferedRequest, type BufferedResponse, deliver, sendBuffered } from './deliver.ts';
import {
  DeliveryLog,
  type DeliveryRecord,
  type DeliveryResult,
  recordHeaders,
  replayHeaders,
} from './deliveries.ts';
import { RelayError } from './errors.ts';
import { RelayRegistry } from './registrations.ts';
import { relayHeaders } from './relay-headers.ts';
import { relayRequestHeaders } from './relay-request-headers.ts';
import type { UrlRelayNetwork } from './relay-to-url.ts';
import { selectDevelopers } from './webhook-select.ts';

/** Largest answer to a webhook passed back to the provider; a larger one is a failed delivery. */
const ANSWER_CAP_BYTES = 1024 * 1024;

/** Writes a buffered answer, its length the body's own whatever the headers said. */
function writeBuffered(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: Buffer,
): void {
  const { 'content-length': _length, 'transfer-encoding': _encoding, ...rest } = headers;
  res.writeHead(status, { ...rest, 'content-length': body.length }).end(body);
}

/** What the webhook relay works with. */
export interface WebhookRelayDeps {
  readonly store: Store;
  readonly tunnels: TunnelService;
  readonly globals: RelayGlobals;
  readonly network: UrlRelayNetwork;
  readonly trustForwarded: boolean;
  readonly clock: Clock;
}

/**
 * Webhooks on relay routes: each is read whole (bounded), handed to the developers it selects,
 * recorded for seven days, and can be replayed to any developer.
 */
export class WebhookRelay {
  readonly #deps: WebhookRelayDeps;

  constructor(deps: WebhookRelayDeps) {
    this.#deps = deps;
  }

  /**
   * A webhook: read it whole (bounded), pick its developers, deliver the original bytes to each,
   * record what happened, and answer the provider: the route's upstream when no developer is
   * selected, the developer's own answer when there is one, else (a broadcast, or a developer
   * not registered or unreachable) 202 with a summary naming the delivery.
   */
  async handle(
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
      headers: relayRequestHeaders(req, client, this.#deps.trustForwarded),
      body,
    };
    const now = dateOf(this.#deps.clock);
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
      // Nobody selected: the deployed app handles it, as any other request: the route's path,
      // headers and rules apply.
      const answer = await sendBuffered(
        `${targetOf(route).origin}${upstreamPath(route, target.path, target.search)}`,
        upstreamRequestHeaders(req.rawHeaders, route, client, { trustForwarded: this.#deps.trustForwarded }),
        buffered,
        undefined,
        ANSWER_CAP_BYTES,
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
      else writeBuffered(res, answer.status, downstreamResponseHeaders(answer.headers, route), answer.body);
      return;
    }

    const answers = await Promise.all(
      developers.map((developer) => this.#deliverTo(registry, developer, buffered)),
    );
    for (const answer of answers) record.results.push(answer.result);
    await log.save(record);
    if (selected !== 'all' && answers[0]?.response) {
      const { status, headers, body: answerBody } = answers[0].response;
      writeBuffered(res, status, headers, answerBody);
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
    const at = dateOf(this.#deps.clock).toISOString();
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
      dateOf(this.#deps.clock).getTime(),
    );
    try {
      const response = await deliver(
        registration.target,
        { ...buffered, headers: { ...buffered.headers, ...signed } },
        {
          tunnels: this.#deps.tunnels,
          network: this.#deps.network,
          capBytes: ANSWER_CAP_BYTES,
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
  async replay(
    route: Pick<Route, 'id' | 'host'>,
    deliveryId: string,
    developer: string,
  ): Promise<DeliveryResult> {
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
}
