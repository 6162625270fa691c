import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort, run, waitForPort } from '../lib/process.ts';
import type { Contender, SetupContext } from './types.ts';

/**
 * The classic tunnel: OpenSSH's remote forward (`ssh -R`) to an sshd on loopback. Public traffic
 * enters at the forwarded port on the sshd side and leaves the ssh client to the local server.
 */
export async function startSshTunnel(ctx: SetupContext): Promise<Contender> {
  const dir = join(ctx.dir, 'ssh');
  mkdirSync(dir, { recursive: true });
  // sshd refuses to start without its privilege-separation directory.
  mkdirSync('/run/sshd', { recursive: true });
  for (const key of ['host_key', 'client_key'])
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, key)]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client_key.pub')));
  const sshdPort = await freePort();
  const publicPort = await freePort();
  writeFileSync(
    join(dir, 'sshd_config'),
    [
      `Port ${sshdPort}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      'StrictModes no',
      'UsePAM no',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding remote',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  const sshd = run('sshd', '/usr/sbin/sshd', ['-D', '-e', '-f', join(dir, 'sshd_config')], {
    logFile: join(dir, 'sshd.log'),
  });
  await waitForPort(sshdPort).catch((error: Error) => {
    throw new Error(`${error.message}\n${sshd.output()}`);
  });
  const client = run(
    'ssh',
    'ssh',
    [
      '-N',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'ExitOnForwardFailure=yes',
      '-i',
      join(dir, 'client_key'),
      '-p',
      String(sshdPort),
      '-R',
      `127.0.0.1:${publicPort}:127.0.0.1:${ctx.originPort}`,
      `${userInfo().username}@127.0.0.1`,
    ],
    { logFile: join(dir, 'ssh.log') },
  );
  await waitForPort(publicPort).catch(async (error: Error) => {
    await client.stop();
    await sshd.stop();
    throw new Error(`${error.message}\n${client.output()}\n${sshd.output()}`);
  });
  return {
    id: 'ssh-tunnel',
    target: { url: `http://127.0.0.1:${publicPort}` },
    processes: [],
    programs: [client, sshd],
  };
}
