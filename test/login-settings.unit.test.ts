import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import type { UpstreamProvider } from '../src/auth/identity/identity.ts';
import { GitHubProvider } from '../src/auth/upstream/github.ts';
import { GitLabProvider } from '../src/auth/upstream/gitlab.ts';
import { ProviderRegistry, providersFrom } from '../src/auth/upstream/provider-registry.ts';
import { githubUrls, providerCredentials } from '../src/auth/upstream/provider-settings.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { SETTINGS } from '../src/config/settings.ts';
import { manualClock } from '../src/core/clock.ts';
import { ConfigError } from '../src/core/config-error.ts';

const GH_SECRET = 'github-secret-value-0123456789';
const GL_SECRET = 'gitlab-secret-value-9876543210';

function load(env: Record<string, string>, file?: string, flags: Record<string, string> = {}) {
  return loadConfig({
    flags: file ? { ...flags, config: '/etc/gatehouse.yaml' } : flags,
    env,
    readFile: () => file ?? '',
  });
}

describe('login settings from the environment and the config file', () => {
  it('reads GitHub and GitLab apps from the environment, base URLs normalised', () => {
    const { login } = load({
      GITHUB_CLIENT_ID: 'gh-id',
      GITHUB_CLIENT_SECRET: GH_SECRET,
      GITHUB_URL: 'https://ghe.example.com/',
      GITLAB_CLIENT_ID: 'gl-id',
      GITLAB_CLIENT_SECRET: GL_SECRET,
      GITLAB_URL: 'https://gitlab.example.com',
    });
    assert.deepEqual(login, {
      github: { clientId: 'gh-id', clientSecret: GH_SECRET, url: 'https://ghe.example.com' },
      gitlab: { clientId: 'gl-id', clientSecret: GL_SECRET, url: 'https://gitlab.example.com' },
    });
    assert.deepEqual(githubUrls(login.github!), {
      url: 'https://ghe.example.com',
      apiUrl: 'https://ghe.example.com/api/v3',
    });
    assert.deepEqual(githubUrls({}), { url: 'https://github.com', apiUrl: 'https://api.github.com' });
  });

  it('reads login: from the config file, the environment winning over it, and no login at all by default', () => {
    const file = [
      'login:',
      '  github: { clientId: from-file, clientSecret: file-secret, apiUrl: "https://api.ghe.example.com" }',
      '  oidc: { issuer: "https://id.example.com", clientId: oidc-id, clientSecret: oidc-secret }',
    ].join('\n');
    const { login } = load({ GITHUB_CLIENT_ID: 'from-env' }, file);
    assert.deepEqual(login.github, {
      clientId: 'from-env',
      clientSecret: 'file-secret',
      apiUrl: 'https://api.ghe.example.com',
    });
    assert.deepEqual(login.oidc, {
      issuer: 'https://id.example.com',
      clientId: 'oidc-id',
      clientSecret: 'oidc-secret',
    });
    assert.deepEqual(load({}).login, {});
  });

  it('reads the OIDC issuer from GATEHOUSE_OIDC_* or the older OIDC_* names, the newer one winning', () => {
    const { login } = load({
      OIDC_ISSUER: 'https://old.example.com',
      GATEHOUSE_OIDC_ISSUER: 'https://id.example.com/',
      OIDC_CLIENT_ID: 'oidc-id',
      OIDC_CLIENT_SECRET: 'oidc-secret',
      OIDC_PROVIDER_ID: 'acme',
      OIDC_LABEL: 'Company login',
      OIDC_SCOPES: 'openid email',
    });
    assert.deepEqual(login.oidc, {
      issuer: 'https://id.example.com',
      clientId: 'oidc-id',
      clientSecret: 'oidc-secret',
      id: 'acme',
      label: 'Company login',
      scopes: 'openid email',
    });
  });

  it('takes client IDs and URLs from flags but secrets never', () => {
    const { login } = load({ GITHUB_CLIENT_SECRET: GH_SECRET }, undefined, { 'github-client-id': 'flag-id' });
    assert.equal(login.github?.clientId, 'flag-id');
    for (const setting of SETTINGS.filter(
      (s) => s.key.startsWith('login.') && s.key.endsWith('clientSecret'),
    )) {
      assert.equal(setting.flag, undefined, `${setting.key} has no flag`);
      assert.equal(setting.secret, true);
    }
  });

  const bad: { name: string; env?: Record<string, string>; file?: string; message: RegExp }[] = [
    {
      name: 'a client ID without its secret',
      env: { GITHUB_CLIENT_ID: 'gh-id' },
      message:
        /^invalid configuration: login\.github\.clientSecret: is required: the GitHub OAuth app's client secret; set GITHUB_CLIENT_SECRET/,
    },
    {
      name: 'a secret without its client ID',
      env: { GITLAB_CLIENT_SECRET: GL_SECRET },
      message: /login\.gitlab\.clientId: is required: the GitLab application's ID; set GITLAB_CLIENT_ID/,
    },
    {
      name: 'a plain-http GitHub URL',
      env: {
        GITHUB_CLIENT_ID: 'a',
        GITHUB_CLIENT_SECRET: GH_SECRET,
        GITHUB_URL: 'http://github.example.com',
      },
      message:
        /login\.github\.url \(from environment variable GITHUB_URL\): must be an https:\/\/ URL \(http:\/\/ is accepted for localhost and 127\.0\.0\.1 only\)/,
    },
    {
      name: 'a GitLab URL that is not a URL',
      env: { GITLAB_CLIENT_ID: 'a', GITLAB_CLIENT_SECRET: GL_SECRET, GITLAB_URL: 'gitlab.example.com' },
      message: /login\.gitlab\.url .*: must be an absolute URL such as https:\/\/github\.example\.com/,
    },
    {
      name: 'an API URL with a query',
      env: {
        GITHUB_CLIENT_ID: 'a',
        GITHUB_CLIENT_SECRET: GH_SECRET,
        GITHUB_API_URL: 'https://api.example.com/?x=1',
      },
      message: /login\.github\.apiUrl .*: must not carry a query, a fragment or credentials/,
    },
    {
      name: 'an unknown key under login.github',
      file: 'login:\n  github: { clientId: a, clientSecret: b, team: x }',
      message:
        /login\.github\.team \(from config file .*\): is not a known setting; known here: clientId, clientSecret, url, apiUrl/,
    },
    {
      name: 'an unknown provider',
      file: 'login:\n  bitbucket: { clientId: a }',
      message: /login\.bitbucket .*: is not a known setting; known here: github, gitlab, oidc/,
    },
    {
      name: 'an OIDC client without an issuer',
      file: 'login:\n  oidc: { clientId: a, clientSecret: b }',
      message: /login\.oidc\.issuer .*: is required/,
    },
    {
      name: 'an OIDC issuer from the older variable without its secret',
      env: { OIDC_ISSUER: 'https://id.example.com', OIDC_CLIENT_ID: 'a' },
      message:
        /login\.oidc\.clientSecret: is required: the OIDC client's secret; set GATEHOUSE_OIDC_CLIENT_SECRET/,
    },
    {
      name: 'an OIDC provider id that is another provider’s',
      env: {
        OIDC_ISSUER: 'https://id.example.com',
        OIDC_CLIENT_ID: 'a',
        OIDC_CLIENT_SECRET: 'b',
        OIDC_PROVIDER_ID: 'github',
      },
      message: /login\.oidc\.id \(from environment variable OIDC_PROVIDER_ID\): must not be github or gitlab/,
    },
    {
      name: 'a secret that is not a string, never shown',
      file: `login:\n  github: { clientId: a, clientSecret: 918273645 }`,
      message: /login\.github\.clientSecret \(from config file .*\): must be a string$/,
    },
  ];
  for (const c of bad) {
    it(`refuses ${c.name}, naming the key`, () => {
      assert.throws(
        () => load(c.env ?? {}, c.file),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError);
          assert.match(e.message, c.message);
          for (const secret of [GH_SECRET, GL_SECRET, '918273645']) assert.ok(!e.message.includes(secret));
          return true;
        },
      );
    });
  }
});

describe('per-route provider credentials', () => {
  it('parses a route’s own GitHub app', () => {
    assert.deepEqual(
      providerCredentials.parse({
        github: { clientId: 'route-app', clientSecret: 's', url: 'https://github.com/' },
      }),
      {
        github: { clientId: 'route-app', clientSecret: 's', url: 'https://github.com' },
      },
    );
  });

  const bad: { name: string; input: unknown; path: string; message: RegExp }[] = [
    {
      name: 'a missing secret',
      input: { github: { clientId: 'a' } },
      path: 'github.clientSecret',
      message: /^is required: the OAuth app's client secret$/,
    },
    {
      name: 'an empty client ID',
      input: { gitlab: { clientId: ' ', clientSecret: 's' } },
      path: 'gitlab.clientId',
      message: /must not be empty/,
    },
    { name: 'an unknown provider', input: { bitbucket: {} }, path: '', message: /bitbucket/ },
    {
      name: 'an http URL off this machine',
      input: { gitlab: { clientId: 'a', clientSecret: 's', url: 'http://gitlab.corp' } },
      path: 'gitlab.url',
      message: /must be an https:\/\/ URL/,
    },
  ];
  for (const c of bad) {
    it(`refuses ${c.name} at ${c.path || '(root)'}`, () => {
      const result = providerCredentials.safeParse(c.input);
      assert.equal(result.success, false);
      const issue = result.error!.issues[0]!;
      assert.equal(issue.path.join('.'), c.path);
      assert.match(issue.message, c.message);
    });
  }
});

describe('the provider registry', () => {
  const deps = { fetch, clock: manualClock(0) };
  const settings = {
    github: { clientId: 'global-gh', clientSecret: GH_SECRET },
    gitlab: { clientId: 'global-gl', clientSecret: GL_SECRET, url: 'https://gitlab.example.com' },
  };
  const oidc: UpstreamProvider = {
    id: 'oidc',
    label: 'Acme ID',
    clientId: 'acme-id',
    authorizationUrl: () => Promise.reject(new Error('unused')),
    complete: () => Promise.reject(new Error('unused')),
    reread: () => Promise.reject(new Error('unused')),
  };

  it('builds the global providers in order, OIDC plugged in as an extra', () => {
    const providers = providersFrom(settings, { ...deps, extra: [oidc] });
    assert.deepEqual(
      providers.map((p) => p.id),
      ['github', 'gitlab', 'oidc'],
    );
    assert.ok(providers[0] instanceof GitHubProvider);
    assert.ok(providers[1] instanceof GitLabProvider);
    assert.deepEqual(providersFrom({}, deps), []);
    const fromConfig = load({ GITLAB_CLIENT_ID: 'gl', GITLAB_CLIENT_SECRET: GL_SECRET }).login;
    assert.deepEqual(
      providersFrom(fromConfig, deps).map((p) => p.id),
      ['gitlab'],
      'the loaded config feeds the registry as it is',
    );
  });

  it('gives a route its own GitHub app in place of the global one, built once, the rest global', () => {
    const registry = new ProviderRegistry(settings, { ...deps, extra: [oidc] });
    assert.equal(registry.forRoute(undefined), registry.global);
    const own = { github: { clientId: 'route-gh', clientSecret: 'route-secret-abcdef' } };
    const first = registry.forRoute(own);
    assert.deepEqual(
      first.map((p) => [p.id, p.clientId]),
      [
        ['github', 'route-gh'],
        ['gitlab', 'global-gl'],
        ['oidc', 'acme-id'],
      ],
    );
    const second = registry.forRoute({ github: { ...own.github } });
    assert.equal(second[0], first[0], 'equal credentials reuse the built provider');
    const rotated = registry.forRoute({ github: { ...own.github, clientSecret: 'a-new-secret-value' } });
    assert.notEqual(rotated[0], first[0], 'a changed secret builds a new provider');
    const ownGitlab = registry.forRoute({
      gitlab: { clientId: 'route-gl', clientSecret: 'route-gl-secret' },
    });
    assert.equal(
      (ownGitlab[0] as GitLabProvider).toJSON()['url'],
      'https://gitlab.example.com',
      "a route's app is on the global provider's GitLab",
    );

    const shown = JSON.stringify(registry) + inspect(registry, { depth: 10 }) + JSON.stringify(first);
    for (const secret of [GH_SECRET, GL_SECRET, 'route-secret-abcdef', 'a-new-secret-value'])
      assert.ok(!shown.includes(secret));
  });
});
