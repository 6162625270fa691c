import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { tunnelsCommand } from '../src/cli/tunnels-command.ts';
import { ADMIN_KEY, startTestGateway, type TestGateway } from './helpers/gateway.ts';

/** Runs `gatehouse tunnels …` in this process: its exit code and what it wrote. */
async function tunnels(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const code = await tunnelsCommand(argv, env, {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
    },
  });
  return { code, stdout, stderr };
}

describe('gatehouse tunnels: list, rotate-key and delete over the admin API', () => {
  let gw: TestGateway;
  let server: string;
  before(async () => {
    gw = await startTestGateway();
    server = `http://localhost:${gw.port}`;
    for (const name of ['alpha', 'beta']) await gw.api('POST', '/api/v1/tunnels/', { name });
  });
  after(() => gw.stop());

  test('list shows each tunnel, offline, with its URL and the start of its key', async () => {
    const { code, stdout } = await tunnels(['list', '--server', server], { GATEHOUSE_ADMIN_KEY: ADMIN_KEY });
    assert.equal(code, 0);
    const [head, ...rows] = stdout.trimEnd().split('\n');
    assert.match(head!, /^NAME +STATE +URL +KEY +CREATED$/);
    assert.deepEqual(
      rows.map((r) => r.split(/ +/).slice(0, 2)),
      [
        ['alpha', 'offline'],
        ['beta', 'offline'],
      ],
    );
    assert.match(rows[0]!, /http:\/\/alpha\.localhost:\d+ +gt_\S+… +\d{4}-/);
  });

  test('rotate-key prints a new key once, and only it connects from then on', async () => {
    const before = (await gw.api('GET', '/api/v1/tunnels/alpha')).body.keyPrefix;
    const { code, stdout } = await tunnels([
      'rotate-key',
      'alpha',
      '--server',
      server,
      '--admin-key',
      ADMIN_KEY,
    ]);
    assert.equal(code, 0);
    const key = /^ {2}(gt_\S+)$/m.exec(stdout)?.[1];
    assert.ok(key, stdout);
    assert.match(
      stdout,
      /^Tunnel alpha has a new key \(shown once; an agent on the old one was disconnected\):/,
    );
    const after = (await gw.api('GET', '/api/v1/tunnels/alpha')).body.keyPrefix;
    assert.notEqual(after, before);
    assert.ok(key.startsWith(after));
  });

  test('delete removes the tunnel', async () => {
    const { code, stdout } = await tunnels(['delete', 'beta', '--server', server, '--admin-key', ADMIN_KEY]);
    assert.equal(code, 0);
    assert.equal(stdout, 'Deleted tunnel beta; its agent was disconnected.\n');
    assert.equal((await gw.api('GET', '/api/v1/tunnels/beta')).status, 404);
  });

  test('--json prints the API answer', async () => {
    const { stdout } = await tunnels(['list', '--json', '--server', server, '--admin-key', ADMIN_KEY]);
    assert.deepEqual(
      JSON.parse(stdout).map((t: { name: string }) => t.name),
      ['alpha'],
    );
  });

  const refusals: [name: string, argv: () => string[], code: number, message: () => RegExp][] = [
    [
      'a tunnel that does not exist: the server says so',
      () => ['delete', 'nope', '--server', server, '--admin-key', ADMIN_KEY],
      1,
      () =>
        new RegExp(
          `^gatehouse tunnels: deleting tunnel nope failed: ${server} answered 404 Not Found \\(no tunnel named nope\\)\\n$`,
        ),
    ],
    [
      'a refused key: the status and what to check',
      () => ['list', '--server', server, '--admin-key', 'gk_wrong'],
      4,
      () =>
        /listing the tunnels failed: .* answered 401 Unauthorized \(.*\); check --admin-key \(or GATEHOUSE_ADMIN_KEY\)/,
    ],
    [
      'a server name that does not exist',
      () => ['list', '--server', 'http://gatehouse.invalid', '--admin-key', ADMIN_KEY],
      3,
      () => /cannot reach http:\/\/gatehouse\.invalid: the name gatehouse\.invalid does not exist/,
    ],
    [
      'https to the plain-HTTP port',
      () => ['list', '--server', `https://localhost:${gw.port}`, '--admin-key', ADMIN_KEY],
      3,
      () => /speaks plain HTTP, not TLS: use http:\/\/localhost:\d+\n$/,
    ],
    [
      'rotate-key without a name',
      () => ['rotate-key', '--admin-key', ADMIN_KEY],
      2,
      () => /rotate-key needs the tunnel's name/,
    ],
    [
      'an unknown action',
      () => ['rotate', 'alpha', '--admin-key', ADMIN_KEY],
      2,
      () => /unknown action 'rotate'; use list, rotate-key or delete/,
    ],
    [
      'no admin key',
      () => ['list', '--server', server],
      2,
      () => /give an admin key with --admin-key or GATEHOUSE_ADMIN_KEY/,
    ],
  ];
  for (const [name, argv, code, message] of refusals) {
    test(name, async () => {
      const run = await tunnels(argv());
      assert.equal(run.code, code, run.stderr);
      assert.match(run.stderr, message());
      assert.equal(run.stdout, '');
    });
  }
});
