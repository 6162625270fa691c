import { BodyTooLargeError, readBoundedBody } from '../../core/bounded-body.ts';
import type { Clock } from '../../core/clock.ts';
import { GatehouseError } from '../../core/errors.ts';
import type { Logger } from '../../core/logger.ts';
import { sendJsonError } from '../../http/error-response.ts';
import type { RequestExchange } from '../../http/exchange.ts';
import type { RouteHandler } from '../../routes/route-handler.ts';
import type { Routed } from '../../routes/routed.ts';
import type { Fetch } from '../api/fleet-api.ts';
import { callTesla } from '../api/tesla-call.ts';
import type { FleetKey } from '../keys.ts';
import { signSs256Jws } from '../ss256.ts';
import { telemetryConfigFromObject } from '../telemetry-config.ts';

/** The path tools written for tesla-http-proxy post unsigned configurations to. */
export const LEGACY_CONFIG_PATH = '/api/1/vehicles/fleet_telemetry_config';
/** Where Tesla takes the signed form. */
export const SIGNED_CONFIG_PATH = '/api/1/vehicles/fleet_telemetry_config_jws';
/** A configuration with its CA chain is a few kilobytes; this leaves room for long chains. */
const MAX_CONFIG_BYTES = 1024 * 1024;

type FleetProxyRouted = Extract<Routed, { kind: 'fleet-proxy' }>;

/** What the fleet proxy needs: the proxy for everything else, and the key to sign with. */
export interface FleetProxyDeps {
  readonly proxy: RouteHandler<Extract<Routed, { kind: 'proxy' }>>;
  readonly key: FleetKey | undefined;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly fetch?: Fetch | undefined;
}

/** The unsigned body tesla-http-proxy accepts: `{vins, config}`. */
function legacyBody(bytes: Buffer, nowMs: number): { vins: string[]; config: Record<string, unknown> } {
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw new GatehouseError('INVALID_JSON', 'the body is not JSON; send {"vins": [...], "config": {...}}');
  }
  const { vins, config } = (body ?? {}) as { vins?: unknown; config?: unknown };
  if (
    !Array.isArray(vins) ||
    vins.length === 0 ||
    !vins.every((v) => typeof v === 'string' && v.length > 0)
  ) {
    throw new GatehouseError('VALIDATION_FAILED', 'vins: must be a non-empty list of VINs', {
      field: 'vins',
    });
  }
  if (!config || typeof config !== 'object' || Array.isArray(config)) {
    throw new GatehouseError('VALIDATION_FAILED', 'config: must be the telemetry configuration object', {
      field: 'config',
    });
  }
  // Checked as `telemetry-config send` checks it: a vehicle would drop a bad one without a word.
  const checked = telemetryConfigFromObject(config as Record<string, unknown>, 'config', nowMs);
  return { vins: vins as string[], config: checked.config as unknown as Record<string, unknown> };
}

/** The request's path inside the route, as the upstream sees it. */
function upstreamPath(exchange: RequestExchange, route: FleetProxyRouted['route']): string {
  const path = exchange.target.path;
  if (!route.stripPrefix || route.path === '/') return path;
  return path.slice(route.path.replace(/\/$/, '').length) || '/';
}

/**
 * Answers fleet-proxy routes the way Tesla's tesla-http-proxy does for telemetry: an unsigned
 * `POST /api/1/vehicles/fleet_telemetry_config {vins, config}` is signed with the application's
 * key (Tesla.SS256) and sent on as `fleet_telemetry_config_jws`; every other call is forwarded to
 * the Fleet API at the route's target unchanged, with the caller's own token.
 */
export function fleetProxyHandler(deps: FleetProxyDeps): RouteHandler<FleetProxyRouted> {
  const signAndForward = async (exchange: RequestExchange, route: FleetProxyRouted['route']) => {
    const { req, res } = exchange;
    exchange.label('fleet-proxy', route.id);
    try {
      if (!deps.key?.privateKey) {
        throw new GatehouseError(
          'FLEET_KEY_MISSING',
          'this gateway has no private fleet key to sign with: start gatehouse serve with --fleet-key FILE (or TESLA_PRIVATE_KEY)',
        );
      }
      const { vins, config } = legacyBody(await readBoundedBody(req, MAX_CONFIG_BYTES), deps.clock());
      const token = signSs256Jws(deps.key, config);
      const url = `${route.target.replace(/\/+$/, '')}${SIGNED_CONFIG_PATH}`;
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        accept: 'application/json',
      };
      if (req.headers.authorization) headers['authorization'] = req.headers.authorization;
      // Tesla's answer, within the route's response timeout, read up to the cap for Tesla's answers.
      const { res: answer, text } = await callTesla(
        deps.fetch ?? fetch,
        url,
        { method: 'POST', headers, body: JSON.stringify({ vins, token }) },
        `the Fleet API at ${route.target}`,
        route.timeouts.responseMs,
      );
      const body = Buffer.from(text);
      deps.logger.info(
        { route: route.id, vins: vins.length, status: answer.status },
        'signed a telemetry configuration',
      );
      const out: Record<string, string | number> = { 'content-length': body.length };
      for (const name of [
        'content-type',
        'x-txid',
        'x-request-id',
        'retry-after',
        'ratelimit-limit',
        'ratelimit-remaining',
        'ratelimit-reset',
      ]) {
        const value = answer.headers.get(name);
        if (value !== null) out[name] = value;
      }
      res.writeHead(answer.status, out);
      res.end(body);
    } catch (error) {
      if (error instanceof BodyTooLargeError) res.setHeader('connection', 'close');
      sendJsonError(res, error);
    }
  };
  return {
    request: async (exchange, { route }) => {
      if (exchange.req.method === 'POST' && upstreamPath(exchange, route) === LEGACY_CONFIG_PATH) {
        return signAndForward(exchange, route);
      }
      return deps.proxy.request(exchange, { kind: 'proxy', route });
    },
    upgrade: (exchange, { route }) => deps.proxy.upgrade(exchange, { kind: 'proxy', route }),
  };
}
