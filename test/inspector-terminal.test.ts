import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { createTunnelOn, jsonEvents, waitForEvent, waitForOutput } from './helpers/agent-process.ts';
import { type CliProcess, spawnCli, spawnServe } from './helpers/cli-process.ts';
import { tempDir } from './helpers/temp-dirs.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const ADMIN = 'gk_inspector-terminal-admin';

/** The agent for tunnel `name`, with its inspector on a free port; `--json` when `json`. */
async function agentFor(gh: { port: number }, local: Upstream, name: string, json: boolean) {
  const key = await createTunnelOn(gh.port, name, ADMIN);
  return spawnCli([
    'tunnel',
    local.url,
    '--server',
    `http://127.0.0.1:${gh.port}`,
    '--name',
    name,
    '--key',
    key,
    '--inspect',
    '127.0.0.1:0',
    ...(json ? ['--json'] : []),
  ]);
}

/** The inspector's API as the agent printed it: its base URL and the Bearer header. */
function inspectorApi(url: string, token: string) {
  const headers = { authorization: `Bearer ${token}` };
  return {
    /** The id of the newest exchange the inspector lists. */
    async newest(): Promise<string> {
      const res = await request(`${url}/api/requests`, { headers });
      const { requests } = (await res.body.json()) as { requests: { id: string }[] };
      assert.ok(requests[0], 'the inspector lists the request');
      return requests[0].id;
    },
    /** Replays exchange `id` with `edits`; resolves with the replay as the API answers it. */
    async replay(id: string, edits: Record<string, unknown>) {
      const res = await request(`${url}/api/requests/${id}/replay`, {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json' },
        body: JSON.stringify(edits),
      });
      assert.equal(res.statusCode, 201);
      return (await res.body.json()) as { id: string; status: number; replayOf: string };
    },
  };
}

describe("a replay sent from the inspector is marked as one in the agent's own output", () => {
  let local: Upstream;
  let gh: CliProcess & { port: number };
  const agents: CliProcess[] = [];

  before(async () => {
    local = await startUpstream((req, res, body) => {
      res.statusCode = req.method === 'PUT' ? 202 : 200;
      res.end(`${req.method} ${req.url} ${body}`);
    });
    gh = await spawnServe(['--data', tempDir('gatehouse-iterm-'), '--log-level', 'warn'], {
      GATEHOUSE_ADMIN_KEY: ADMIN,
    });
  });
  after(async () => {
    for (const agent of agents) await agent.stop();
    await gh?.stop();
    await local?.close();
  });

  /** A request to tunnel `name` through the gateway, as the public would send it. */
  const publicRequest = async (name: string) => {
    const res = await request(`http://127.0.0.1:${gh.port}/orders?id=3`, {
      method: 'POST',
      headers: { host: `${name}.localhost` },
      body: 'qty=2',
    });
    assert.equal(await res.body.text(), 'POST /orders?id=3 qty=2');
  };

  test('the terminal view prints the replay as a line of its own, tagged replay (plain off a terminal)', async () => {
    const agent = await agentFor(gh, local, 'term', false);
    agents.push(agent);
    const printed = new URL(
      (await waitForOutput(agent, 'stderr', /Inspector: (http:\/\/\S+#token=\S+)/))[1]!,
    );
    await waitForOutput(agent, 'stderr', /● online/);
    const api = inspectorApi(printed.origin, new URLSearchParams(printed.hash.slice(1)).get('token')!);

    await publicRequest('term');
    const replay = await api.replay(await api.newest(), {
      method: 'PUT',
      path: '/orders?id=4',
      body: 'qty=5',
    });
    assert.equal(replay.status, 202);

    const [line] = await waitForOutput(agent, 'stderr', /^.*replay.*$/m);
    assert.match(line, /^replay {2}PUT \/orders\?id=4 → 202 {2}\d+ ms$/);
    assert.equal(
      agent
        .stderr()
        .split('\n')
        .filter((l) => l.includes('replay')).length,
      1,
      `one tagged line, for the replay only:\n${agent.stderr()}`,
    );
    assert.ok(!agent.stderr().includes('\x1b['), 'no colour codes off a terminal');
  });

  test('with --json, the replay is a request event with replayOf naming the original', async () => {
    const agent = await agentFor(gh, local, 'script', true);
    agents.push(agent);
    const online = await waitForEvent(agent, 'online');
    const api = inspectorApi(String(online['inspector']), String(online['inspectorToken']));

    await publicRequest('script');
    const original = await waitForEvent(agent, 'request');
    assert.equal(original['replayOf'], undefined, 'a request that crossed the tunnel is not marked');
    const seen = jsonEvents(agent).length;
    const replay = await api.replay(String(original['id']), {});
    const event = await waitForEvent(agent, 'request', seen);
    assert.deepEqual(
      [event['id'], event['replayOf'], event['method'], event['path'], event['status']],
      [replay.id, original['id'], 'POST', '/orders?id=3', 200],
    );
    assert.equal(replay.replayOf, original['id']);
  });
});
