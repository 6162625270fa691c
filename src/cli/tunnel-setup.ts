import { connect } from 'node:net';
import { request } from 'undici';

/** Creates a tunnel with an admin key; on failure, the exit code and message the CLI should give. */
export async function createTunnel(
  server: URL,
  adminKey: string,
  name: string | undefined,
): Promise<{ name: string; key: string } | { exit: number; reason: string; message: string }> {
  let status: number;
  let body: { name?: string; key?: string; message?: string };
  try {
    const res = await request(new URL('/api/v1/tunnels/', server), {
      method: 'POST',
      headers: { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(name ? { name } : {}),
    });
    status = res.statusCode;
    body = parseBody(await res.body.text());
  } catch (error) {
    return {
      exit: 3,
      reason: 'unreachable',
      message: `cannot reach ${server.origin} (${(error as Error).message}); check --server and that Gatehouse runs there`,
    };
  }
  if (status === 201 && body.name && body.key) return { name: body.name, key: body.key };
  if (status === 409)
    return {
      exit: 6,
      reason: 'name-taken',
      message:
        `the tunnel name ${name} is taken on ${server.origin}. If the tunnel is yours, connect with its key: ` +
        `--key gt_… instead of --admin-key (it was printed when the tunnel was created; ` +
        `POST /api/v1/tunnels/${name}/rotate-key gives a new one); otherwise choose another --name`,
    };
  if (status === 401)
    return {
      exit: 4,
      reason: 'bad-key',
      message: `${server.origin} refused the admin key (${body.message}); check --admin-key or GATEHOUSE_ADMIN_KEY`,
    };
  return {
    exit: 2,
    reason: 'create-failed',
    message: `creating the tunnel on ${server.origin} failed (${status}): ${body.message}`,
  };
}

/** The JSON error body, or the start of whatever else came (a proxy's HTML page, say). */
function parseBody(text: string): { name?: string; key?: string; message?: string } {
  try {
    return JSON.parse(text) as { name?: string; key?: string; message?: string };
  } catch {
    return { message: text.trim().slice(0, 200) || 'no message' };
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
