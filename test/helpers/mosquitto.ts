import { writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { type BrokerProcess, startBroker } from './broker-process.ts';

/**
 * A real mosquitto on a free loopback port, anonymous, persisting sessions and retained messages
 * in a throwaway directory (so a restart keeps what it acknowledged).
 */
export function startMosquitto(): Promise<BrokerProcess> {
  return startBroker({
    command: 'mosquitto',
    scheme: 'mqtt',
    args: (port, dir) => {
      const config = join(dir, 'mosquitto.conf');
      writeFileSync(
        config,
        [
          `listener ${port} 127.0.0.1`,
          'allow_anonymous true',
          'persistence true',
          `persistence_location ${dir}/`,
          // As root mosquitto would switch to its own user, who cannot write this directory.
          `user ${userInfo().username}`,
          'log_dest stderr',
          '',
        ].join('\n'),
      );
      return ['-c', config];
    },
  });
}
