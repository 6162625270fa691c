import { type BrokerProcess, startBroker } from './broker-process.ts';

/** A real `nats-server -js` on a free loopback port, JetStream's files in a throwaway directory. */
export function startNats(): Promise<BrokerProcess> {
  return startBroker({
    command: 'nats-server',
    scheme: 'nats',
    args: (port, dir) => [
      '-a',
      '127.0.0.1',
      '-p',
      String(port),
      '-js',
      '-sd',
      dir,
      '-n',
      `gatehouse-test-${port}`,
    ],
    readyLine: /Server is ready/,
  });
}
