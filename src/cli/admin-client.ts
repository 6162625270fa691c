import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { request } from 'undici';
import { connectFailure } from '../http/connect-failure.ts';
import { outboundAgent } from '../http/outbound.ts';

/** What the admin API answered: its status and its JSON (or the start of any other text, as `message`). */
export interface AdminAnswer {
  readonly reached: true;
  readonly status: number;
  readonly body: Record<string, unknown>;
}

/** A call that never got an answer: why, and whether trying again could help. */
export interface AdminUnreachable {
  readonly reached: false;
  readonly status: 0;
  readonly message: string;
  readonly permanent: boolean;
}

/**
 * The admin access a command's `--server`, `--admin-key` and `--ca` give (or GATEHOUSE_SERVER and
 * GATEHOUSE_ADMIN_KEY), or what is wrong with them, in words for the person who typed them.
 */
export function adminAccessOf(
  values: {
    readonly server?: string | undefined;
    readonly 'admin-key'?: string | undefined;
    readonly ca?: string | undefined;
  },
  env: Readonly<Record<string, string | undefined>>,
): AdminAccess | string {
  const key = values['admin-key'] ?? env['GATEHOUSE_ADMIN_KEY'];
  if (!key) return 'give an admin key with --admin-key or GATEHOUSE_ADMIN_KEY';
  const serverArg = values.server ?? env['GATEHOUSE_SERVER'] ?? 'http://localhost:8080';
  if (!URL.canParse(serverArg) || !/^https?:$/.test(new URL(serverArg).protocol))
    return '--server (or GATEHOUSE_SERVER) must be the Gatehouse URL, e.g. https://gatehouse.example.com';
  try {
    return { server: new URL(serverArg), key, ca: values.ca ? readFileSync(values.ca) : undefined };
  } catch (error) {
    return `cannot read --ca ${values.ca}: ${(error as Error).message}`;
  }
}

/** Where the admin API is and with what to call it. */
export interface AdminAccess {
  readonly server: URL;
  /** An admin key, or a login's access token. */
  readonly key: string;
  /** Extra CA certificates (PEM) to trust for an https server. */
  readonly ca?: Buffer | undefined;
}

/** Calls the admin API at `path` (under /api/v1/); a JSON body when given. */
export async function callAdmin(
  access: AdminAccess,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<AdminAnswer | AdminUnreachable> {
  const dispatcher = outboundAgent({ ca: access.ca });
  try {
    const res = await request(new URL(`/api/v1/${path}`, access.server), {
      method,
      headers: {
        authorization: `Bearer ${access.key}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      dispatcher,
    });
    const text = await res.body.text();
    return { reached: true, status: res.statusCode, body: parseJson(text) };
  } catch (error) {
    const failure = connectFailure(error, access.server);
    return {
      reached: false,
      status: 0,
      message: `cannot reach ${access.server.origin}: ${failure.message}`,
      permanent: failure.permanent,
    };
  } finally {
    dispatcher.close().catch(() => {});
  }
}

/** The JSON of an answer, or the start of whatever else came (a proxy's HTML page, say). */
function parseJson(text: string): Record<string, unknown> {
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {}
  return text.trim() ? { message: text.trim().slice(0, 200) } : {};
}

/**
 * What to do about an answer's status, where the status alone tells. A 404 with one of
 * Gatehouse's error codes is about the thing asked for (its message says which); without one, the
 * server is not Gatehouse's admin API at all.
 */
function adviceFor(status: number, body: Record<string, unknown>): string | undefined {
  if (status === 401) return 'check --admin-key (or GATEHOUSE_ADMIN_KEY), or log in again';
  if (status === 403) return 'this needs an admin key, or the login of an administrator';
  if (status === 404 && typeof body['error'] !== 'string')
    return 'check --server: it must be the Gatehouse admin host (its --domain)';
  if (status === 429) return 'wait a minute and try again';
  if (status >= 500) return "the server failed: its log says why; try again once it's fixed";
  return undefined;
}

/**
 * One line for an answer that was not the one hoped for: what was being done, the status with
 * its name, the server's own message, and what to do (`creating the tunnel failed: … answered
 * 401 Unauthorized (unknown key); check --admin-key …`).
 */
export function answerProblem(
  what: string,
  access: AdminAccess,
  answer: AdminAnswer | AdminUnreachable,
): string {
  if (!answer.reached) return `${what} failed: ${answer.message}`;
  const { status, body } = answer;
  const message = typeof body['message'] === 'string' ? ` (${body['message']})` : '';
  const advice = adviceFor(status, body);
  return (
    `${what} failed: ${access.server.origin} answered ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd() +
    `${message}${advice ? `; ${advice}` : ''}`
  );
}

/** The exit code for an answer that was not the one hoped for: 3 unreachable, 4 refused, else 1. */
export function answerExit(answer: AdminAnswer | AdminUnreachable): number {
  if (!answer.reached) return 3;
  return answer.status === 401 || answer.status === 403 ? 4 : 1;
}
