import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';

/** Largest registration body read here; oidc-provider's own limit is 56 KiB. */
const MAX_BODY = 56 * 1024;

/** The part of a Koa context this middleware touches. */
interface RegistrationContext {
  method: string;
  path: string;
  req: IncomingMessage;
  request: { req: IncomingMessage };
  body?: unknown;
}

/** Where the server describes itself (RFC 8414, OpenID Discovery). */
const DISCOVERY = new Set(['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']);

/**
 * Makes the scopes resources advertise (the RFC 9728 metadata of Gatehouse's API and of each
 * protected route: `user`, a route's `reports:read`…) scopes this server accepts and advertises.
 * oidc-provider knows only the scopes it was built with, OpenID's, and refuses others in a
 * registration's `scope`; resource scopes are granted per resource at authorization. So before it
 * reads a registration, advertised scopes leave `scope` (they restrict nothing there; any other
 * value is left for it to judge), and its discovery documents list them in `scopes_supported`.
 */
export function resourceScopes(registrationPath: string, advertised: () => readonly string[]) {
  return async (ctx: RegistrationContext, next: () => Promise<void>): Promise<void> => {
    if (ctx.method === 'GET' && DISCOVERY.has(ctx.path)) {
      await next();
      const body = ctx.body as { scopes_supported?: unknown } | undefined;
      if (body && Array.isArray(body.scopes_supported))
        body.scopes_supported = [...new Set([...body.scopes_supported, ...advertised()])];
      return;
    }
    if (ctx.method !== 'POST' || ctx.path !== registrationPath) return next();
    const type = String(ctx.req.headers['content-type'] ?? '');
    if (!type.toLowerCase().startsWith('application/json')) return next();
    const body = await readAtMost(ctx.req, MAX_BODY);
    let replay = body;
    if (body !== undefined) {
      const rewritten = withoutResourceScopes(body, new Set(advertised()));
      if (rewritten !== undefined) replay = rewritten;
    }
    // The body was read here: hand oidc-provider a stream of it (or of what was too large, cut,
    // which it refuses by length as it would have).
    const original = ctx.req;
    const stream = Object.assign(Readable.from(replay === undefined ? [] : [replay]), {
      url: original.url,
      method: original.method,
      httpVersion: original.httpVersion,
      httpVersionMajor: original.httpVersionMajor,
      httpVersionMinor: original.httpVersionMinor,
      socket: original.socket,
      connection: original.socket,
      rawHeaders: original.rawHeaders,
      headers: { ...original.headers, 'content-length': String(replay?.length ?? MAX_BODY + 1) },
    }) as unknown as IncomingMessage;
    ctx.req = stream;
    ctx.request.req = stream;
    return next();
  };
}

/** The registration JSON with advertised scopes removed from `scope`; undefined when unchanged. */
export function withoutResourceScopes(body: Buffer, advertised: ReadonlySet<string>): Buffer | undefined {
  let metadata: unknown;
  try {
    metadata = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return undefined;
  const scope = (metadata as { scope?: unknown }).scope;
  if (typeof scope !== 'string') return undefined;
  const requested = scope.split(' ').filter(Boolean);
  const kept = requested.filter((s) => !advertised.has(s));
  if (kept.length === requested.length) return undefined;
  const next: Record<string, unknown> = { ...metadata };
  if (kept.length > 0) next['scope'] = kept.join(' ');
  else delete next['scope'];
  return Buffer.from(JSON.stringify(next));
}

/** The whole body, or undefined when it is longer than `max` bytes. */
async function readAtMost(stream: NodeJS.ReadableStream, max: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > max) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
