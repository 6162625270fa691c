import { connect } from 'node:net';
import { outboundLookup } from '../http/outbound.ts';
import { answerProblem, callAdmin } from './admin-client.ts';

/** A tunnel made or given a new key, or the exit code and message the CLI should give instead. */
export type TunnelKeyResult =
  | { readonly name: string; readonly key: string }
  | { readonly exit: number; readonly reason: string; readonly message: string };

/** Creates a tunnel with an admin key; on failure, the exit code and message the CLI should give. */
export async function createTunnel(
  server: URL,
  adminKey: string,
  name: string | undefined,
  ca?: Buffer,
): Promise<TunnelKeyResult> {
  const access = { server, key: adminKey, ca };
  const answer = await callAdmin(access, 'POST', 'tunnels/', name ? { name } : {});
  if (!answer.reached)
    return {
      exit: 3,
      reason: 'unreachable',
      message: `${answer.message}; check --server${answer.permanent ? '' : ' and that Gatehouse runs there'}`,
    };
  if (
    answer.status === 201 &&
    typeof answer.body['name'] === 'string' &&
    typeof answer.body['key'] === 'string'
  )
    return { name: answer.body['name'], key: answer.body['key'] };
  if (answer.status === 409)
    return {
      exit: 6,
      reason: 'name-taken',
      message:
        `the tunnel name ${name} is taken on ${server.origin}. If the tunnel is yours, connect with its key ` +
        '(--key gt_…), or give it a new one: gatehouse tunnels rotate-key ' +
        `${name} --server ${server.origin}; otherwise choose another --name`,
    };
  if (answer.status === 401)
    return { exit: 4, reason: 'bad-key', message: answerProblem('creating the tunnel', access, answer) };
  return { exit: 2, reason: 'create-failed', message: answerProblem('creating the tunnel', access, answer) };
}

/** Gives an existing tunnel a new key with an admin key; an agent still using the old key is disconnected. */
export async function rotateTunnelKey(
  server: URL,
  adminKey: string,
  name: string,
  ca?: Buffer,
): Promise<TunnelKeyResult> {
  const access = { server, key: adminKey, ca };
  const answer = await callAdmin(access, 'POST', `tunnels/${encodeURIComponent(name)}/rotate-key`);
  if (answer.reached && answer.status === 200 && typeof answer.body['key'] === 'string')
    return { name, key: answer.body['key'] };
  const message = answerProblem(`giving tunnel ${name} a new key`, access, answer);
  if (answer.status === 0) return { exit: 3, reason: 'unreachable', message };
  if (answer.status === 401) return { exit: 4, reason: 'bad-key', message };
  return { exit: 2, reason: 'rotate-failed', message };
}

/**
 * Creates the tunnel, or, when an earlier run created it already, gives it a new key: the same
 * command runs again as it ran the first time (a run still connected with the old key stops).
 */
export async function createOrReuseTunnel(
  server: URL,
  adminKey: string,
  name: string | undefined,
  ca?: Buffer,
): Promise<TunnelKeyResult & { readonly reused?: boolean }> {
  const made = await createTunnel(server, adminKey, name, ca);
  if (!('exit' in made) || made.reason !== 'name-taken' || !name) return made;
  const rotated = await rotateTunnelKey(server, adminKey, name, ca);
  return 'exit' in rotated ? rotated : { ...rotated, reused: true };
}

/** True when something accepts TCP connections at the URL's host and port. */
export function canConnect(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const socket = connect({ port, host: url.hostname.replace(/^\[|\]$/g, ''), lookup: outboundLookup });
    socket.setTimeout(3000, () => socket.destroy());
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}
