import { connect } from 'node:net';
import { request } from 'undici';

/** Creates a tunnel with an admin key; on failure, the exit code and message the CLI should give. */
export async function createTunnel(
  server: URL,
  adminKey: string,
  name: string | undefined,
): Promise<{ name: string; key: string } | { exit: number; reason: string; message: string }> {
  try {
    const res = await request(new URL('/api/v1/tunnels/', server), {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(name ? { name } : {}),
    });
    const body = (await res.body.json()) as { name?: string; key?: string; message?: string };
    if (res.statusCode === 201 && body.name && body.key) return { name: body.name, key: body.key };
    if (res.statusCode === 409)
      return { exit: 6, reason: 'name-taken', message: `the tunnel name ${name} is taken` };
    if (res.statusCode === 401)
      return { exit: 4, reason: 'bad-key', message: `the server refused the admin key: ${body.message}` };
    return {
      exit: 2,
      reason: 'create-failed',
      message: `creating the tunnel failed (${res.statusCode}): ${body.message}`,
    };
  } catch (error) {
    return {
      exit: 3,
      reason: 'unreachable',
      message: `could not reach ${server.origin}: ${(error as Error).message}`,
    };
  }
}

/** Gives an existing tunnel a new key with an admin key; an agent still using the old key is disconnected. */
export async function rotateTunnelKey(
  server: URL,
  adminKey: string,
  name: string,
): Promise<{ name: string; key: string } | { exit: number; reason: string; message: string }> {
  try {
    const res = await request(new URL(`/api/v1/tunnels/${encodeURIComponent(name)}/rotate-key`, server), {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}` },
    });
    const body = (await res.body.json()) as { key?: string; message?: string };
    if (res.statusCode === 200 && body.key) return { name, key: body.key };
    if (res.statusCode === 401)
      return { exit: 4, reason: 'bad-key', message: `the server refused the admin key: ${body.message}` };
    return {
      exit: 2,
      reason: 'rotate-failed',
      message: `giving tunnel ${name} a new key failed (${res.statusCode}): ${body.message}`,
    };
  } catch (error) {
    return {
      exit: 3,
      reason: 'unreachable',
      message: `could not reach ${server.origin}: ${(error as Error).message}`,
    };
  }
}

/** True when something accepts TCP connections at the URL's host and port. */
export function canConnect(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const socket = connect(port, url.hostname.replace(/^\[|\]$/g, ''));
    socket.setTimeout(3000, () => socket.destroy());
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('close', () => resolve(false));
  });
}
