import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig, loadTeslaConfig } from '../src/config/load-config.ts';
import { ConfigError } from '../src/core/config-error.ts';
import { teslaSettings } from '../src/fleet/tesla-settings.ts';
import { spawnCli } from './helpers/cli-process.ts';
import { tempDir } from './helpers/temp-dirs.ts';

const SIM = 'http://127.0.0.1:4400';

function thrown(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('the Tesla application from the environment', () => {
  test('is read once at start: region lower-cased, URLs without a trailing slash, scopes split', () => {
    const { tesla } = loadConfig({
      flags: {},
      env: {
        TESLA_CLIENT_ID: 'app-id',
        TESLA_CLIENT_SECRET: 'app-secret',
        TESLA_REGION: 'EU',
        TESLA_SIMULATOR: `${SIM}/`,
        TESLA_OAUTH_SCOPES: 'openid, offline_access vehicle_device_data',
        TESLA_REDIRECT_URI: 'https://app.example.com/tesla/callback',
      },
    });
    assert.deepEqual(tesla, {
      clientId: 'app-id',
      clientSecret: 'app-secret',
      region: 'eu',
      simulator: SIM,
      scopes: ['openid', 'offline_access', 'vehicle_device_data'],
      redirectUri: 'https://app.example.com/tesla/callback',
    });
    assert.deepEqual(loadConfig({ flags: {}, env: {} }).tesla, { region: 'na', scopes: [] });
  });

  const bad: [env: Record<string, string>, message: string][] = [
    [
      { TESLA_SIMULATOR: 'localhost:4400' },
      `invalid configuration: tesla.simulator (from environment variable TESLA_SIMULATOR): must be the http:// address 'gatehouse fleet simulate' printed, such as ${SIM}; got "localhost:4400"`,
    ],
    [
      { TESLA_REGION: 'us' },
      'invalid configuration: tesla.region (from environment variable TESLA_REGION): must be one of na, eu, cn; got "us"',
    ],
    [
      { TESLA_AUDIENCE: 'fleet-api' },
      'invalid configuration: tesla.audience (from environment variable TESLA_AUDIENCE): must be an http(s) URL, the Fleet API base; got "fleet-api"',
    ],
    [
      { TESLA_REDIRECT_URI: 'ftp://app.example.com/cb' },
      'invalid configuration: tesla.redirectUri (from environment variable TESLA_REDIRECT_URI): must be an absolute http:// or https:// URL, got "ftp://app.example.com/cb"',
    ],
    [
      { TESLA_OAUTH_SCOPES: 'openid vehicle-data!' },
      'invalid configuration: tesla.scopes.1 (from environment variable TESLA_OAUTH_SCOPES): must be a scope name such as vehicle_device_data',
    ],
  ];
  for (const [env, message] of bad) {
    test(`stops loadConfig naming ${Object.keys(env)[0]}`, () => {
      const error = thrown(() => loadConfig({ flags: {}, env }));
      assert.ok(error instanceof ConfigError, String(error));
      assert.equal(error.message, message);
    });
  }

  test('the client secret is never repeated in a message', () => {
    const error = thrown(() =>
      loadConfig({
        flags: { config: 'gatehouse.yaml' },
        env: {},
        readFile: () => 'tesla: { clientSecret: 918273645 }',
      }),
    );
    assert.ok(error instanceof ConfigError);
    assert.match(
      error.message,
      /^invalid configuration: tesla\.clientSecret \(from config file gatehouse\.yaml\): must be a string$/,
    );
  });

  test("the fleet commands' --region and --simulator beat the environment, and are named when wrong", () => {
    const env = { TESLA_REGION: 'eu', TESLA_SIMULATOR: SIM };
    assert.deepEqual(loadTeslaConfig(env, { region: 'cn' }), { region: 'cn', simulator: SIM, scopes: [] });
    const error = thrown(() => loadTeslaConfig(env, { simulator: 'sim.local' }));
    assert.ok(error instanceof ConfigError);
    assert.match(
      error.message,
      /^invalid configuration: tesla\.simulator \(from --simulator\): must be the http/,
    );
    assert.equal(
      loadTeslaConfig({ GATEHOUSE_PORT: 'not a port' }).region,
      'na',
      'serve settings are not read',
    );
  });
});

describe('Tesla URLs worked out from the application', () => {
  const cases: [
    name: string,
    app: Parameters<typeof teslaSettings>[0],
    region: 'na' | 'eu' | undefined,
    expected: object,
  ][] = [
    [
      'the region’s own',
      { region: 'eu', scopes: [] },
      undefined,
      {
        tokenUrl: 'https://fleet-auth.prd.vn.cloud.tesla.com/oauth2/v3/token',
        authorizeUrl: 'https://auth.tesla.com/oauth2/v3/authorize',
        fleetApi: 'https://fleet-api.prd.eu.vn.cloud.tesla.com',
      },
    ],
    [
      'the simulator standing for every URL, in the region a route names',
      { region: 'na', simulator: SIM, scopes: [] },
      'eu',
      {
        tokenUrl: `${SIM}/oauth2/v3/token`,
        authorizeUrl: `${SIM}/oauth2/v3/authorize`,
        fleetApi: `${SIM}/eu`,
        region: 'eu',
      },
    ],
    [
      'a URL given beating the simulator',
      { region: 'na', simulator: SIM, audience: 'https://fleet.example.com', scopes: [] },
      undefined,
      { tokenUrl: `${SIM}/oauth2/v3/token`, fleetApi: 'https://fleet.example.com' },
    ],
  ];
  for (const [name, app, region, expected] of cases) {
    test(name, () => {
      const settings = teslaSettings(app, region);
      for (const [field, value] of Object.entries(expected))
        assert.equal(settings[field as keyof typeof settings], value, field);
    });
  }
});

test('gatehouse serve with a bad TESLA_SIMULATOR stops at start, naming the variable', async () => {
  const cli = spawnCli(['serve', '--data', tempDir(), '--port', '0', '--log-level', 'silent'], {
    TESLA_SIMULATOR: 'localhost:4400',
  });
  const code = await new Promise<number | null>((resolve) => cli.child.once('exit', resolve));
  assert.equal(code, 2);
  assert.match(
    cli.stderr(),
    /^gatehouse: invalid configuration: tesla\.simulator \(from environment variable TESLA_SIMULATOR\)/,
  );
});
