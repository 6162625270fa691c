import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { GRANT_REVOCATIONS } from '../src/store/entities.ts';
import type { Store } from '../src/store/types.ts';
import { TunnelAgent } from '../src/tunnel/agent/tunnel-agent.ts';
import { TunnelError } from '../src/tunnel/protocol/errors.ts';
import { createTunnel } from './helpers/agent.ts';
import { startTestGateway } from './helpers/gateway.ts';
import { startUpstream } from './helpers/upstream.ts';
import { waitFor } from './helpers/wait-for.ts';

/**
 * The sessions a login let in end when the login does: at once when a revocation is announced,
 * and at the next heartbeat-paced check when none was (another node's announcement missed, a
 * grant that ran out). Logins here are stood in for; test/cli-login.test.ts runs the real one.
 */
describe('tunnels connected with a login end when the login is revoked', () => {
  const cases: [how: string, heartbeatMs: string, revoke: (store: Store) => Promise<void>][] = [
    ['announced through the change feed', '60000', announce],
    ['found by the periodic check, unannounced', '1000', async () => {}],
  ];
  for (const [how, heartbeatMs, revoke] of cases) {
    test(how, async () => {
      const gw = await startTestGateway({ flags: { 'tunnel-heartbeat': heartbeatMs } });
      const local = await startUpstream((_req, res) => res.end('ok'));
      after(async () => {
        await gw.stop();
        await local.close();
      });
      const { name } = await createTunnel(gw, 'by-login');
      let active = true;
      gw.gateway.tunnels.connections.acceptLogins(async () => {
        if (!active) throw new TunnelError('TUNNEL_KEY_INVALID', 'the login token is not valid here');
        return { record: (await gw.gateway.store.tunnels.get(name))!, loginActive: async () => active };
      });
      const agent = new TunnelAgent({
        server: new URL(gw.url),
        name: '',
        key: 'a-login-access-token',
        local: { url: new URL(local.url), preserveHost: false, captureBytes: 0 },
        version: 'test',
        backoffBaseMs: 50,
        backoffCapMs: 200,
      });
      const fatal = new Promise((resolve) => agent.once('fatal', resolve));
      agent.start();
      await waitFor('the agent online', () => agent.online);
      active = false;
      await revoke(gw.gateway.store);
      await waitFor('the session dropped', async () =>
        (await gw.gateway.store.tunnels.events(name, 10)).some(
          (e) => e.type === 'disconnect' && e.reason === 'login revoked',
        ),
      );
      assert.deepEqual(await fatal, { kind: 'bad-key', message: 'the login token is not valid here' });
      assert.equal(gw.gateway.tunnels.registry.get(name), undefined);
    });
  }
});

/** What the authorization server does on a revocation: a record in and out of the feed. */
async function announce(store: Store) {
  const revocations = store.collection(GRANT_REVOCATIONS);
  await revocations.insert({ id: 'grant-1', createdAt: new Date().toISOString() });
  await revocations.delete('grant-1');
}
