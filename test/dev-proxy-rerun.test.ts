import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type CliProcess, spawnCli } from './helpers/cli-process.ts';
import { ADMIN_KEY, type TestGateway } from './helpers/gateway.ts';
import { startRelayGateway } from './helpers/relay.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const SECRET = 'dev-proxy-rerun-secret';
const RELAY_HOST = 'dev.api.example.test';

/** Resolves once the CLI has printed `text` on stdout; rejects if it exits first. */
function printed(cli: CliProcess, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (!cli.stdout().includes(text)) return;
      cli.child.stdout!.off('data', check);
      cli.child.off('exit', exited);
      resolve();
    };
    const exited = (code: number | null) =>
      reject(new Error(`exited with ${code} before printing ${text}:\n${cli.stderr()}`));
    cli.child.stdout!.on('data', check);
    cli.child.once('exit', exited);
    check();
  });
}

describe('dev-proxy start can be run again, as the relay guide shows it', () => {
  let gw: TestGateway;
  let deployed: Upstream;
  let local: Upstream;
  before(async () => {
    gw = await startRelayGateway(SECRET);
    deployed = await startUpstream((_req, res) => res.end('deployed'));
    local = await startUpstream((req, res) => res.end(`local API for ${req.headers['x-relay-from']}`));
    await gw.addRoute({ host: RELAY_HOST, target: deployed.url, relay: {} });
  });
  after(async () => {
    await gw.stop();
    await deployed.close();
    await local.close();
  });

  const start = (developer: string, secret = SECRET) =>
    spawnCli(
      [
        'dev-proxy',
        'start',
        '--relay',
        `http://${RELAY_HOST}`,
        '--relay-connect',
        `127.0.0.1:${gw.port}`,
        '--server',
        gw.url,
        '--developer',
        developer,
        '--port',
        String(local.port),
        '--admin-key',
        ADMIN_KEY,
      ],
      { DEV_PROXY_SHARED_SECRET: secret },
    );

  /** Runs the command until it has registered, checks the relay reaches the developer, then Ctrl-C. */
  async function runOnce(developer: string) {
    const cli = start(developer);
    try {
      await printed(cli, 'TESLA_REDIRECT_URI');
      const relayed = await gw.send(RELAY_HOST, '/api/v1/anything', {
        headers: { 'x-dev-proxy-target': developer },
      });
      assert.equal(relayed.text, `local API for ${developer}`);
      assert.equal(await cli.stop('SIGINT'), 0, cli.stderr());
    } finally {
      await cli.stop('SIGKILL');
    }
    return cli.stderr();
  }

  test('twice in a row: the second run reuses the tunnel with a new key', async () => {
    assert.match(await runOnce('alice'), /Created tunnel dev-alice/);
    assert.match(await runOnce('alice'), /Reusing tunnel dev-alice/);
  });

  test('after a failed registration', async () => {
    const refused = start('bob', 'not-the-secret');
    assert.equal(await new Promise((resolve) => refused.child.once('exit', resolve)), 7, refused.stderr());
    assert.match(refused.stderr(), /Created tunnel dev-bob/);
    assert.match(await runOnce('bob'), /Reusing tunnel dev-bob/);
  });
});
