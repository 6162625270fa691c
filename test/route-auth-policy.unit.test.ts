import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { evaluate, type IdentityLike, isPublicPath, requiredScopes } from '../src/auth/identity/policy.ts';
import { routeAuthSettings } from '../src/routes/route-auth-settings.ts';

const alice: IdentityLike = {
  provider: 'github',
  login: 'Alice',
  email: 'Alice@Example.com',
  orgs: ['acme'],
  teams: ['acme/ops'],
  groups: [],
  claims: {},
};
const bob: IdentityLike = {
  provider: 'gitlab',
  login: 'bob',
  email: 'bob@sub.example.com',
  orgs: [],
  teams: [],
  groups: ['acme/platform'],
  claims: {},
};
const carol: IdentityLike = {
  provider: 'oidc',
  // An OIDC person is named by the issuer's sub, compared exactly.
  login: 'u-Carol-7',
  orgs: [],
  teams: [],
  groups: [],
  claims: { role: 'admin', groups: ['eng', 'ops'], level: 3, staff: true },
};
const people = { alice, bob, carol };

/** A policy allowing exactly one matcher, parsed as a route would store it. */
const only = (matcher: string) => routeAuthSettings.parse({ allow: [matcher] });

describe('which identities each matcher lets in', () => {
  const cases: [matcher: string, admitted: (keyof typeof people)[]][] = [
    ['*', ['alice', 'bob', 'carol']],
    ['github:alice', ['alice']],
    ['GitHub:ALICE', ['alice']],
    ['gitlab:alice', []],
    ['github:bob', []],
    ['gitlab:bob', ['bob']],
    ['oidc:u-Carol-7', ['carol']],
    ['oidc:u-carol-7', []],
    ['OIDC:u-Carol-7', ['carol']],
    ['oidc:carol', []],
    ['oidc:auth0|u-Carol-7', []],
    ['email:alice@example.com', ['alice']],
    ['email:ALICE@EXAMPLE.COM', ['alice']],
    ['email:bob@example.com', []],
    ['domain:example.com', ['alice']],
    ['domain:Example.COM', ['alice']],
    ['domain:sub.example.com', ['bob']],
    ['domain:ample.com', []],
    ['github-org:acme', ['alice']],
    ['github-org:ACME', ['alice']],
    ['github-org:acme-corp', []],
    ['github-team:acme/ops', ['alice']],
    ['github-team:acme/dev', []],
    ['gitlab-group:acme/platform', ['bob']],
    ['gitlab-group:ACME/Platform', ['bob']],
    ['gitlab-group:acme', []],
    ['gitlab-group:acme/platform/sub', []],
    ['claim:role=admin', ['carol']],
    ['claim:role=Admin', []],
    ['claim:groups=ops', ['carol']],
    ['claim:groups=sales', []],
    ['claim:level=3', ['carol']],
    ['claim:staff=true', ['carol']],
    ['claim:missing=x', []],
  ];
  for (const [matcher, admitted] of cases)
    test(`${matcher} admits ${admitted.join(', ') || 'nobody'}`, () => {
      const policy = only(matcher);
      for (const [name, who] of Object.entries(people))
        assert.equal(evaluate(policy, who).allowed, admitted.includes(name as keyof typeof people), name);
    });
});

describe('bad matchers are refused naming the forms', () => {
  const bad = [
    'alice',
    ':alice',
    'github:',
    'github:al ice',
    'email:not-an-email',
    'email:a@b',
    'domain:localhost',
    'domain:-bad.com',
    'github-org:',
    'github-team:acme',
    'github-team:acme/ops/x',
    'gitlab-group:/acme',
    'claim:role',
    'claim:=admin',
    'claim:role=',
    'Not_A_Provider!:x',
  ];
  for (const matcher of bad)
    test(JSON.stringify(matcher), () => {
      const result = routeAuthSettings.safeParse({ allow: [matcher] });
      assert.equal(result.success, false);
      const message = result.error!.issues[0]!.message;
      assert.match(message, /use one of: \*, <provider>:<login>/);
      assert.match(message, /github-team:acme\/ops/);
    });
});

describe('scopes', () => {
  const policy = routeAuthSettings.parse({
    allow: ['github-org:acme', 'gitlab:bob', 'oidc:u-Carol-7'],
    scopes: { admin: ['github:alice'], user: ['*'], mcp: ['claim:groups=ops', 'gitlab:bob'] },
    require: [
      { path: '/admin', scopes: ['admin'] },
      { path: '/admin/mcp', scopes: ['mcp'] },
      { path: '/mcp', scopes: ['mcp', 'user'] },
    ],
    public: ['/health', '/static/'],
  });

  test('each allowed person gets the scopes naming them, sorted', () => {
    assert.deepEqual(evaluate(policy, alice), { allowed: true, scopes: ['admin', 'user'] });
    assert.deepEqual(evaluate(policy, bob), { allowed: true, scopes: ['mcp', 'user'] });
    assert.deepEqual(evaluate(policy, carol), { allowed: true, scopes: ['mcp', 'user'] });
  });

  test('someone not allowed gets no scopes, even those that name them', () => {
    const p = routeAuthSettings.parse({ allow: ['github:alice'], scopes: { user: ['*'] } });
    assert.deepEqual(evaluate(p, bob), { allowed: false, scopes: [] });
  });

  test('the default gives everyone allowed the user scope', () => {
    assert.deepEqual(evaluate(only('*'), carol), { allowed: true, scopes: ['user'] });
  });

  const required: [path: string, scopes: string[]][] = [
    ['/', []],
    ['/admin', ['admin']],
    ['/admin/', ['admin']],
    ['/admin/users', ['admin']],
    ['/administrator', []],
    ['/admin/mcp', ['mcp']],
    ['/admin/mcp/tools', ['mcp']],
    ['/admin/mcpx', ['admin']],
    ['/mcp', ['mcp', 'user']],
  ];
  for (const [path, scopes] of required)
    test(`${path} requires ${scopes.join(' ') || 'no scope'} (longest prefix, segment boundaries)`, () =>
      assert.deepEqual(requiredScopes(policy, path), scopes));

  const publicPaths: [path: string, open: boolean][] = [
    ['/health', true],
    ['/health/live', true],
    ['/healthz', false],
    ['/static', true],
    ['/static/app.js', true],
    ['/statically', false],
    ['/', false],
  ];
  for (const [path, open] of publicPaths)
    test(`${path} is ${open ? '' : 'not '}public`, () => assert.equal(isPublicPath(policy, path), open));
});

describe('the auth field refuses what would not work, saying what to do', () => {
  const cases: [name: string, auth: unknown, message: RegExp][] = [
    ['an empty allow list', { allow: [] }, /at least 1|>=1/i],
    [
      'a scope given to nobody but required',
      { allow: ['*'], require: [{ path: '/a', scopes: ['admin'] }] },
      /admin is given to nobody/,
    ],
    [
      'a path required twice',
      {
        allow: ['*'],
        require: [
          { path: '/a', scopes: ['user'] },
          { path: '/a/', scopes: ['user'] },
        ],
      },
      /listed twice/,
    ],
    ['a bad scope name', { allow: ['*'], scopes: { 'a b': ['*'] } }, /scope name/],
    ['a prefix that is no header prefix', { allow: ['*'], headerPrefix: 'Auth' }, /X-Auth-/],
    [
      'a prefix taking the forwarding headers',
      { allow: ['*'], headerPrefix: 'X-Forwarded-' },
      /x-forwarded-/,
    ],
    ['an unknown field', { allow: ['*'], allowed: ['*'] }, /allowed|unrecognized/i],
    ['a public path without /', { allow: ['*'], public: ['health'] }, /must start with \//],
    [
      'a provider secret without an id',
      { allow: ['*'], providers: { github: { clientSecret: 'x' } } },
      /clientId|expected string/i,
    ],
  ];
  for (const [name, auth, message] of cases)
    test(name, () => {
      const result = routeAuthSettings.safeParse(auth);
      assert.equal(result.success, false);
      assert.match(result.error!.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; '), message);
    });

  test('matchers are stored in their canonical form', () => {
    const parsed = routeAuthSettings.parse({
      allow: [' GitHub:Alice ', 'EMAIL:A@B.com', 'claim:Role=Admin'],
    });
    assert.deepEqual(parsed.allow, ['github:alice', 'email:a@b.com', 'claim:Role=Admin']);
    assert.equal(parsed.headerPrefix, 'X-Auth-');
    assert.deepEqual(parsed.scopes, { user: ['*'] });
  });
});
