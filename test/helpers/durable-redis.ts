import { type BrokerProcess, startBroker } from './broker-process.ts';

/**
 * A real redis-server that keeps its data across a restart: an append-only file synced on every
 * write, as a deployment that promises not to lose acknowledged records runs it.
 */
export function startDurableRedis(): Promise<BrokerProcess> {
  return startBroker({
    command: 'redis-server',
    scheme: 'redis',
    args: (port, dir) => [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'yes',
      '--appendfsync',
      'always',
      '--dir',
      dir,
    ],
    readyLine: /Ready to accept connections/,
  });
}
