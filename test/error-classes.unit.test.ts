import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AdminError } from '../src/admin/errors.ts';
import { TokenRejected } from '../src/auth/route/token-verifier.ts';
import { CertError } from '../src/certs/cert-error.ts';
import { LoginEndedError } from '../src/cli/device-login.ts';
import { BodyTooLargeError } from '../src/core/bounded-body.ts';
import { ConfigError } from '../src/core/config-error.ts';
import {
  ADMIN_ERROR_CODES,
  CERT_ERROR_CODES,
  CONFIG_ERROR_CODES,
  EDGE_ERROR_CODES,
  FLEET_ERROR_CODES,
  GatehouseError,
  INSPECTOR_ERROR_CODES,
  LOGIN_ERROR_CODES,
  RELAY_ERROR_CODES,
  ROUTE_AUTH_ERROR_CODES,
  SIMULATOR_API_ERROR_CODES,
  STORE_ERROR_CODES,
  TESLA_ERROR_CODES,
  TUNNEL_ERROR_CODES,
} from '../src/core/errors.ts';
import { TeslaApiError } from '../src/fleet/api/tesla-error.ts';
import { Ss256Error } from '../src/fleet/ss256-verify.ts';
import { EdgeError } from '../src/http/edge-error.ts';
import { statusForCode } from '../src/http/error-status.ts';
import { ClientGoneError } from '../src/http/stream-response.ts';
import { RelayError } from '../src/relay/errors.ts';
import { SimulatorApiError } from '../src/simulator/api-error.ts';
import { OAuthError } from '../src/simulator/oauth-error.ts';
import { StoreError } from '../src/store/errors.ts';
import { DashboardError } from '../src/telemetry/dashboard/dashboard-error.ts';
import { DialRefused } from '../src/tunnel/agent/dial.ts';
import { InspectorError } from '../src/tunnel/agent/errors.ts';
import { TunnelError } from '../src/tunnel/protocol/errors.ts';
import { StreamCutError } from '../src/tunnel/protocol/mux-stream.ts';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** A class declared in src/: its name, what it extends (as written, type arguments left out), its file. */
interface DeclaredClass {
  readonly name: string;
  readonly parent: string;
  readonly file: string;
  readonly exported: boolean;
}

const declared: DeclaredClass[] = sourceFiles(SRC).flatMap((path) =>
  [
    ...readFileSync(path, 'utf8').matchAll(
      /^(export )?(?:abstract )?class (\w+)(?:<[^>{]*>)? extends ([\w.]+)/gm,
    ),
  ].map((m) => ({ name: m[2]!, parent: m[3]!, file: relative(SRC, path), exported: m[1] !== undefined })),
);
const byName = new Map(declared.map((c) => [c.name, c]));

/**
 * Where a class's chain ends: `gatehouse` when it reaches GatehouseError, `error` when it reaches
 * another error (Error itself, or a library's) first, `other` when it is no error at all.
 */
function chainOf(name: string): 'gatehouse' | 'error' | 'other' {
  for (let at = byName.get(name), depth = 0; at && depth < 20; depth++) {
    if (at.parent === 'GatehouseError') return 'gatehouse';
    const next = byName.get(at.parent);
    if (!next) return /Error$/.test(at.parent) ? 'error' : 'other';
    at = next;
  }
  return 'other';
}

const errorClasses = declared.filter((c) => c.name !== 'GatehouseError' && chainOf(c.name) !== 'other');

describe('error classes', () => {
  test('the scan finds the error classes it is meant to judge', () => {
    // A scan that matched nothing would pass every check below.
    for (const name of ['AdminError', 'DialRefused', 'TokenRejected', 'ClientGoneError'])
      assert.ok(
        errorClasses.some((c) => c.name === name),
        `${name} is among the scanned classes`,
      );
  });

  test('every error class in src/ is a GatehouseError, so every thrown product error has a code', () => {
    const plain = errorClasses
      .filter((c) => chainOf(c.name) !== 'gatehouse')
      .map((c) => `${c.name} (${c.file}) extends ${c.parent}`);
    assert.deepEqual(plain, [], 'extend GatehouseError or an area class, and give it a code');
  });

  test('no two error classes share a name', () => {
    const seen = new Map<string, string[]>();
    for (const c of errorClasses) seen.set(c.name, [...(seen.get(c.name) ?? []), c.file]);
    const shared = [...seen]
      .filter(([, files]) => files.length > 1)
      .map(([name, files]) => `${name}: ${files}`);
    assert.deepEqual(shared, []);
  });

  /** Each exported error class, made as its area makes it, with the codes of that area. */
  const AREAS: readonly {
    readonly name: string;
    readonly make: () => GatehouseError;
    readonly codes: readonly string[];
  }[] = [
    { name: 'EdgeError', make: () => new EdgeError('ROUTE_NOT_FOUND', 'x'), codes: EDGE_ERROR_CODES },
    { name: 'ClientGoneError', make: () => new ClientGoneError(), codes: EDGE_ERROR_CODES },
    { name: 'BodyTooLargeError', make: () => new BodyTooLargeError(10), codes: EDGE_ERROR_CODES },
    { name: 'AdminError', make: () => new AdminError('NOT_FOUND', 'x'), codes: ADMIN_ERROR_CODES },
    { name: 'TunnelError', make: () => new TunnelError('TUNNEL_NOT_FOUND', 'x'), codes: TUNNEL_ERROR_CODES },
    { name: 'DialRefused', make: () => new DialRefused(401, 'x'), codes: TUNNEL_ERROR_CODES },
    { name: 'StreamCutError', make: () => new StreamCutError('reset by peer'), codes: TUNNEL_ERROR_CODES },
    {
      name: 'InspectorError',
      make: () => new InspectorError('INSPECTOR_TOKEN_INVALID', 'x'),
      codes: INSPECTOR_ERROR_CODES,
    },
    { name: 'RelayError', make: () => new RelayError('RELAY_DISABLED', 'x'), codes: RELAY_ERROR_CODES },
    { name: 'CertError', make: () => new CertError('CERT_ORDER_FAILED', 'x'), codes: CERT_ERROR_CODES },
    { name: 'StoreError', make: () => new StoreError('STORE_CONFLICT', 'x'), codes: STORE_ERROR_CODES },
    { name: 'ConfigError', make: () => new ConfigError('x', { field: 'port' }), codes: CONFIG_ERROR_CODES },
    { name: 'TokenRejected', make: () => new TokenRejected('x'), codes: ROUTE_AUTH_ERROR_CODES },
    { name: 'LoginEndedError', make: () => new LoginEndedError('x'), codes: LOGIN_ERROR_CODES },
    {
      name: 'TeslaApiError',
      make: () =>
        new TeslaApiError('FLEET_UNAVAILABLE', 'x', {
          status: 503,
          error: undefined,
          description: undefined,
          txid: undefined,
          retryAfterSeconds: undefined,
          regionBaseUrl: undefined,
        }),
      codes: TESLA_ERROR_CODES,
    },
    { name: 'Ss256Error', make: () => new Ss256Error('signature', 'x'), codes: FLEET_ERROR_CODES },
    {
      name: 'DashboardError',
      make: () => new DashboardError('FLEET_DASHBOARD_TOKEN_INVALID', 'x'),
      codes: FLEET_ERROR_CODES.filter((c) => c.startsWith('FLEET_DASHBOARD_')),
    },
    {
      name: 'SimulatorApiError',
      make: () => new SimulatorApiError('SIM_NOT_FOUND', 'x'),
      codes: SIMULATOR_API_ERROR_CODES,
    },
    {
      name: 'OAuthError',
      make: () => new OAuthError('SIM_OAUTH_LOGIN_REQUIRED', 'login_required', 'x'),
      codes: FLEET_ERROR_CODES.filter((c) => c.startsWith('SIM_OAUTH_')),
    },
  ];

  test('each exported error class has a row here, naming its area', () => {
    const exported = errorClasses.filter((c) => c.exported).map((c) => c.name);
    assert.deepEqual(AREAS.map((a) => a.name).sort(), exported.sort());
  });

  for (const area of AREAS) {
    test(`${area.name} is a GatehouseError with a code of its area and a status`, () => {
      const error = area.make();
      assert.ok(error instanceof GatehouseError);
      assert.equal(error.constructor.name, area.name);
      assert.ok(area.codes.includes(error.code), `${error.code} is one of ${area.codes.join(', ')}`);
      assert.equal(typeof statusForCode(error.code), 'number');
    });
  }

  test('the instanceof checks callers rely on still tell the refusals apart', () => {
    const refused = new DialRefused(404, 'no such tunnel');
    assert.ok(refused instanceof TunnelError && refused.status === 404);
    assert.equal(refused.code, 'TUNNEL_DIAL_REFUSED');
    const gone = new ClientGoneError();
    assert.ok(gone instanceof EdgeError);
    assert.equal(gone.name, 'AbortError', 'aborts are told from failures by this name');
    assert.equal(new LoginEndedError('ended').fatal, true, 'the agent stops instead of retrying');
  });
});
