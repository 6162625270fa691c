import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatehouseError } from '../src/core/errors.ts';
import { parseBody, validationError } from '../src/http/validation-error.ts';
import { routeInput, routePatch } from '../src/routes/route.ts';

const good = { host: 'app.example.com', target: 'http://127.0.0.1:3000' };

describe('route validation refuses bad input and names the field', () => {
  const cases: [name: string, body: Record<string, unknown>, field: string][] = [
    ['missing host', { target: good.target }, 'host'],
    ['missing target', { host: good.host }, 'target'],
    ['host with scheme', { ...good, host: 'http://app.example.com' }, 'host'],
    ['host with port', { ...good, host: 'app.example.com:80' }, 'host'],
    ['host with bad label', { ...good, host: '-bad.example.com' }, 'host'],
    ['double wildcard', { ...good, host: '*.*.example.com' }, 'host'],
    ['path without slash', { ...good, path: 'api' }, 'path'],
    ['path with dot segment', { ...good, path: '/a/../b' }, 'path'],
    ['path with query', { ...good, path: '/a?x' }, 'path'],
    ['target not a URL', { ...good, target: 'nope' }, 'target'],
    ['target ftp', { ...good, target: 'ftp://host/' }, 'target'],
    ['target with credentials', { ...good, target: 'http://u:p@host/' }, 'target'],
    ['target with query', { ...good, target: 'http://host/?a=1' }, 'target'],
    ['priority not integer', { ...good, priority: 1.5 }, 'priority'],
    [
      'header injection in value',
      { ...good, requestHeaders: { set: { 'x-a': 'v\r\nx-b: 1' } } },
      'requestHeaders.set.x-a',
    ],
    [
      'bad header name',
      { ...good, responseHeaders: { set: { 'bad name': 'v' } } },
      'responseHeaders.set.bad name',
    ],
    ['timeout zero', { ...good, timeouts: { responseMs: 0 } }, 'timeouts.responseMs'],
    ['unknown field', { ...good, colour: 'red' }, 'colour'],
    ['stripPrefix not boolean', { ...good, stripPrefix: 'yes' }, 'stripPrefix'],
    [
      'an mcp route without auth',
      { host: good.host, mcp: { target: good.target, access: [{ who: ['*'], tools: ['*'] }] } },
      'auth',
    ],
    [
      'an mcp route with both a target and a tunnel',
      {
        host: good.host,
        auth: { allow: ['*'] },
        mcp: { target: good.target, tunnel: 'dev', access: [{ who: ['*'], tools: ['*'] }] },
      },
      'mcp.target',
    ],
    [
      'an mcp route whose access names nobody',
      {
        host: good.host,
        auth: { allow: ['*'] },
        mcp: { target: good.target, access: [{ who: [], tools: ['*'] }] },
      },
      'mcp.access.0.who',
    ],
    [
      'an mcp tool pattern with a wildcard inside',
      {
        host: good.host,
        auth: { allow: ['*'] },
        mcp: { target: good.target, access: [{ who: ['*'], tools: ['read*x'] }] },
      },
      'mcp.access.0.tools.0',
    ],
  ];
  for (const [name, body, field] of cases) {
    test(name, () => {
      const parsed = routeInput.safeParse(body);
      assert.equal(parsed.success, false);
      if (!parsed.success) {
        const error = validationError(parsed.error);
        assert.equal(error.code, 'VALIDATION_FAILED');
        assert.equal(error.field, field);
        assert.match(error.message, new RegExp(field.split('.')[0]!));
      }
    });
  }

  test('a good route gets its defaults', () => {
    const route = routeInput.parse({ ...good, host: 'App.Example.com', path: '/api/' });
    assert.equal(route.host, 'app.example.com');
    assert.equal(route.path, '/api');
    assert.equal(route.priority, 0);
    assert.equal(route.kind, 'proxy', 'a route with a target and nothing else is a proxy');
    assert.deepEqual(route.kind === 'proxy' && route.timeouts, {
      connectMs: 10_000,
      responseMs: 60_000,
      idleMs: 300_000,
    });
  });

  const kindCases: [name: string, body: Record<string, unknown>, field: string, message: RegExp][] = [
    [
      'an unknown kind',
      { ...good, kind: 'teleport' },
      'kind',
      /must be one of proxy, relay, tunnel, static, fleet-proxy, fleet-login, mcp/,
    ],
    [
      'a fleet-login route in an unknown region',
      { host: good.host, fleetLogin: { region: 'mars' } },
      'fleetLogin.region',
      /na|eu|cn/,
    ],
    [
      'a fleet-login redirect URI that is not a URL',
      { host: good.host, fleetLogin: { redirectUri: '/tesla/callback' } },
      'fleetLogin.redirectUri',
      /absolute http/,
    ],
    [
      'a fleet-login route with a target',
      { host: good.host, kind: 'fleet-login', target: good.target },
      'target',
      /unknown field/,
    ],
    ['a tunnel route without a name', { host: good.host, kind: 'tunnel' }, 'tunnel', /tunnel/],
    [
      'a fleet-proxy route without the Fleet API target',
      { host: good.host, kind: 'fleet-proxy' },
      'target',
      /target/,
    ],
    [
      'a fleet-proxy route with a static answer',
      { ...good, kind: 'fleet-proxy', static: { body: 'x' } },
      'static',
      /unknown field/,
    ],
    [
      'a tunnel route with a target',
      { host: good.host, tunnel: 'ysg', target: good.target },
      'target',
      /unknown field/,
    ],
    ['a tunnel name with upper case', { host: good.host, tunnel: 'YSG' }, 'tunnel', /tunnel name/],
    [
      'a static route with a 1xx status',
      { host: good.host, static: { status: 101 } },
      'static.status',
      /static/,
    ],
    [
      'a static body over 64 KiB',
      { host: good.host, static: { body: 'x'.repeat(65 * 1024) } },
      'static.body',
      /64 KiB/,
    ],
    [
      'a static Content-Length, whatever its case',
      { host: good.host, static: { headers: { 'Content-Length': '9' } } },
      'static.headers.Content-Length',
      /set by Gatehouse/,
    ],
    [
      'a static Transfer-Encoding',
      { host: good.host, static: { headers: { 'transfer-encoding': 'chunked' } } },
      'static.headers.transfer-encoding',
      /set by Gatehouse/,
    ],
    ['a 204 with a body', { host: good.host, static: { status: 204, body: 'x' } }, 'static.body', /no body/],
    [
      'a header value beyond Latin-1',
      { ...good, responseHeaders: { set: { 'x-price': '5 €' } } },
      'responseHeaders.set.x-price',
      /Latin-1/,
    ],
    [
      'a header value with a control character',
      { host: good.host, static: { headers: { 'x-a': 'a\u0007b' } } },
      'static.headers.x-a',
      /control/,
    ],
    [
      'a static header with a line break',
      { host: good.host, static: { headers: { 'x-a': 'v\r\nx' } } },
      'static.headers.x-a',
      /U\+000D CARRIAGE RETURN/,
    ],
  ];
  for (const [name, body, field, message] of kindCases) {
    test(name, () => {
      const parsed = routeInput.safeParse(body);
      assert.equal(parsed.success, false);
      if (!parsed.success) {
        const error = validationError(parsed.error);
        assert.equal(error.field, field);
        assert.match(error.message, message);
      }
    });
  }

  test('the kind follows from the fields when it is not given', () => {
    assert.equal(routeInput.parse({ host: good.host, tunnel: 'ysg' }).kind, 'tunnel');
    assert.equal(routeInput.parse({ host: good.host, static: {} }).kind, 'static');
    assert.equal(routeInput.parse({ ...good, relay: {} }).kind, 'relay');
    const login = routeInput.parse({ host: good.host, path: '/tesla', fleetLogin: {} });
    assert.equal(login.kind, 'fleet-login');
    assert.equal(login.kind === 'fleet-login' && login.fleetLogin.sessionHours, 168);
  });
});

describe('control and bidirectional characters are refused wherever a route string can reach a header, URL or log', () => {
  const relay = (settings: Record<string, unknown>) => ({ ...good, relay: settings });
  const webhooks = (settings: Record<string, unknown>) =>
    relay({ webhooks: { paths: ['/hooks'], select: 'broadcast', ...settings } });
  // [what, body, field, the character and where it is]
  const cases: [string, Record<string, unknown>, string, RegExp][] = [
    [
      'CR LF inside the target',
      { ...good, target: 'http://host/a\r\nX-Injected: 1' },
      'target',
      /U\+000D CARRIAGE RETURN \(a control character\) at character 14/,
    ],
    ['LF alone inside the target', { ...good, target: 'http://host/a\nb' }, 'target', /U\+000A LINE FEED/],
    [
      'TAB inside the target',
      { ...good, target: 'http://ho\tst/' },
      'target',
      /U\+0009 CHARACTER TABULATION/,
    ],
    ['NUL in the target', { ...good, target: 'http://host/\0' }, 'target', /U\+0000 NULL/],
    ['DEL in the target', { ...good, target: 'http://host/\x7f' }, 'target', /U\+007F DELETE/],
    ['a C1 control in the target', { ...good, target: 'http://host/\u0085' }, 'target', /U\+0085 NEXT LINE/],
    [
      'a right-to-left override in the target',
      { ...good, target: 'http://host/\u202Egpj.exe' },
      'target',
      /U\+202E RIGHT-TO-LEFT OVERRIDE \(a bidirectional control\) at character 13/,
    ],
    ['an isolate in the path', { ...good, path: '/a\u2066b' }, 'path', /U\+2066 LEFT-TO-RIGHT ISOLATE/],
    ['NUL in the path', { ...good, path: '/a\0' }, 'path', /U\+0000 NULL/],
    [
      'LF in a request header value',
      { ...good, requestHeaders: { set: { 'x-a': 'v\nx-b: 1' } } },
      'requestHeaders.set.x-a',
      /U\+000A LINE FEED .* at character 2/,
    ],
    [
      'a C1 control in a response header value',
      { ...good, responseHeaders: { set: { 'x-a': 'v\u009b' } } },
      'responseHeaders.set.x-a',
      /U\+009B \(a control character\)/,
    ],
    [
      'a bidirectional control in a static header value',
      { host: good.host, static: { headers: { 'x-a': 'a\u202Db' } } },
      'static.headers.x-a',
      /U\+202D LEFT-TO-RIGHT OVERRIDE/,
    ],
    [
      'CR LF in a fleet-login redirect URI',
      { host: good.host, fleetLogin: { redirectUri: 'https://app.example.com/cb\r\nSet-Cookie: x=1' } },
      'fleetLogin.redirectUri',
      /U\+000D CARRIAGE RETURN/,
    ],
    ['NUL in a relay state parameter', relay({ stateParam: 'st\0ate' }), 'relay.stateParam', /U\+0000 NULL/],
    [
      'an isolate in a relay allowed target',
      relay({ allowedTargets: ['*.example.com', 'evil\u2067.example.com'] }),
      'relay.allowedTargets.1',
      /U\+2067 RIGHT-TO-LEFT ISOLATE/,
    ],
    [
      'LF in a webhook selector header',
      webhooks({ select: { header: 'x-dev\nx' } }),
      'relay.webhooks.select.header',
      /U\+000A LINE FEED/,
    ],
    [
      'an override in a webhook map name',
      webhooks({ select: { header: 'x-dev' }, map: { 'a\u202Eb': 'dev' } }),
      'relay.webhooks.map',
      /a name must not contain U\+202E/,
    ],
    [
      'CR in a route OAuth client id',
      {
        ...good,
        auth: { allow: ['*'], providers: { github: { clientId: 'abc\r', clientSecret: 's' } } },
      },
      'auth.providers.github.clientId',
      /U\+000D CARRIAGE RETURN/,
    ],
  ];
  for (const [what, body, field, message] of cases) {
    test(what, () => {
      const parsed = routeInput.safeParse(body);
      assert.equal(parsed.success, false, 'refused');
      if (!parsed.success) {
        const error = validationError(parsed.error);
        assert.equal(error.code, 'VALIDATION_FAILED');
        assert.equal(error.field, field);
        assert.match(
          error.message,
          new RegExp(`^${field.replaceAll('.', '\\.')}: must not|^${field}: a name`),
        );
        assert.match(error.message, message);
      }
    });
  }

  test('a patch is held to the same rule', () => {
    const parsed = routePatch.safeParse({ target: 'http://host/a\r\nX-Injected: 1' });
    assert.equal(parsed.success, false);
    if (!parsed.success) assert.equal(validationError(parsed.error).field, 'target');
  });

  test('a TAB in a header value and anything in a static body are still taken', () => {
    assert.ok(routeInput.safeParse({ ...good, requestHeaders: { set: { 'x-a': 'a\tb' } } }).success);
    const body = 'line one\r\nline two \u202E\0';
    const parsed = routeInput.parse({ host: good.host, static: { body } });
    assert.equal(parsed.kind === 'static' && parsed.static.body, body);
  });
});

describe('an unknown field is named, with the field it is closest to', () => {
  const cases: [name: string, body: Record<string, unknown>, field: string, message: string][] = [
    [
      'a mistyped required field is named, not the one it leaves missing',
      { host: good.host, taget: good.target },
      'taget',
      'unknown field: taget (did you mean target?)',
    ],
    [
      'a mistyped optional field',
      { ...good, stripPrefx: true },
      'stripPrefx',
      'unknown field: stripPrefx (did you mean stripPrefix?)',
    ],
    [
      'a mistyped field inside another',
      { ...good, timeouts: { responsMs: 5 } },
      'timeouts.responsMs',
      'unknown field: timeouts.responsMs (did you mean responseMs?)',
    ],
    [
      'a field of the kind the route is, not of another kind',
      { host: good.host, tunnel: 'ysg', taget: good.target },
      'taget',
      'unknown field: taget',
    ],
    ['a field like none', { ...good, colour: 'red' }, 'colour', 'unknown field: colour'],
    [
      'two unknown fields',
      { ...good, hots: 'x', colour: 'red' },
      'hots, colour',
      'unknown field: hots (did you mean host?), colour',
    ],
  ];
  for (const [name, body, field, message] of cases) {
    test(name, () => {
      assert.throws(
        () => parseBody(routeInput, body),
        (error: unknown) => {
          assert.ok(error instanceof GatehouseError);
          assert.equal(error.code, 'VALIDATION_FAILED');
          assert.equal(error.field, field);
          assert.equal(error.message, message);
          return true;
        },
      );
    });
  }
});
