import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { routeLoginProviders } from '../src/auth/route/route-providers.ts';
import { routeSecretsKey, sealRouteSecrets } from '../src/auth/route/route-secrets.ts';
import { ProviderRegistry } from '../src/auth/upstream/provider-registry.ts';
import { manualClock } from '../src/core/clock.ts';
import { createLogger } from '../src/core/logger.ts';
import { type Route, routeInput } from '../src/routes/route.ts';
import { RouteTable } from '../src/routes/route-table.ts';

const key = routeSecretsKey(Buffer.alloc(32, 3));
const otherKey = routeSecretsKey(Buffer.alloc(32, 4));

/** A stored route: parsed as the API does, its secrets sealed with `sealWith`. */
const stored = (id: string, host: string, auth: unknown, sealWith = key): Route =>
  sealRouteSecrets(
    {
      ...routeInput.parse({ host, target: 'http://127.0.0.1:9', auth }),
      id,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    },
    undefined,
    () => sealWith,
  );

const ownGithub = { github: { clientId: 'route-gh', clientSecret: 'route-gh-secret' } };
const table = new RouteTable([
  stored('plain', 'plain.test', { allow: ['*'] }),
  stored('own', 'own.test', { allow: ['*'], providers: ownGithub }),
  stored('also-own', 'also-own.test', { allow: ['*'], providers: ownGithub }),
  stored('gitlab-only', 'gitlab-only.test', { allow: ['*'], login: ['gitlab'] }),
  stored('stale', 'stale.test', { allow: ['*'], providers: ownGithub }, otherKey),
]);
const registry = new ProviderRegistry(
  {
    github: { clientId: 'global-gh', clientSecret: 'global-gh-secret' },
    gitlab: { clientId: 'global-gl', clientSecret: 'global-gl-secret' },
  },
  { fetch, clock: manualClock(0) },
);
const logs: string[] = [];
const providers = routeLoginProviders({
  registry,
  table: () => table,
  secretsKey: () => key,
  logger: createLogger('warn', { write: (line: string) => void logs.push(line) }),
});

describe('the login providers a resource offers', () => {
  const cases: [name: string, resources: string[], apps: string[]][] = [
    ['no resource: the global apps', [], ['github:global-gh', 'gitlab:global-gl']],
    [
      "Gatehouse's API (no route): the global apps",
      ['http://gatehouse.test/api'],
      ['github:global-gh', 'gitlab:global-gl'],
    ],
    ['a route without apps of its own', ['http://plain.test'], ['github:global-gh', 'gitlab:global-gl']],
    ['a route with its own GitHub app', ['http://own.test'], ['github:route-gh', 'gitlab:global-gl']],
    [
      'a URL below the route names no route',
      ['http://own.test/deeper'],
      ['github:global-gh', 'gitlab:global-gl'],
    ],
    ['auth.login narrows the choice', ['http://gitlab-only.test'], ['gitlab:global-gl']],
    [
      'two routes with the same app',
      ['http://own.test', 'http://also-own.test'],
      ['github:route-gh', 'gitlab:global-gl'],
    ],
    [
      'two routes with different GitHub apps: what both accept',
      ['http://own.test', 'http://plain.test'],
      ['gitlab:global-gl'],
    ],
    [
      'a route app that does not open is left out, not swapped for the global one',
      ['http://stale.test'],
      ['gitlab:global-gl'],
    ],
  ];
  for (const [name, resources, apps] of cases)
    test(name, () => {
      assert.deepEqual(
        providers.forResources(resources).map((p) => `${p.id}:${p.clientId}`),
        apps,
      );
    });

  test('the operator is told which route app does not open, without its secret', () => {
    const line = logs.find((l) => l.includes('"route":"stale"'));
    assert.ok(line, 'logged');
    assert.match(line, /send its client secret again/);
    assert.doesNotMatch(logs.join('\n'), /route-gh-secret/);
  });
});
