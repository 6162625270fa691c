import { refreshLogin } from './oauth.ts';
import { heldLogin, savedToken } from './tokens.ts';

/**
 * Sends a call signed with the held key or token. Refused (401) with a login's refresh token
 * held, it refreshes the login once and sends the call again with the new token; a call refused
 * after another call's refresh just goes again with the token that refresh got.
 */
async function signed(send: (token: string | null) => Promise<Response>): Promise<Response> {
  const token = savedToken();
  const res = await send(token);
  if (res.status !== 401 || token === null) return res;
  const now = savedToken();
  if (now === token && (!heldLogin()?.refreshToken || !(await refreshLogin()))) return res;
  const renewed = savedToken();
  if (renewed === null) return res;
  await res.body?.cancel();
  return send(renewed);
}

const bearer = (token: string | null): Record<string, string> =>
  token ? { authorization: `Bearer ${token}` } : {};

/** An error answer of the admin API: `{error, message, field?}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The field path the API names (`target`, `requestHeaders.set.a`), when it names one. */
    readonly field: string | undefined,
  ) {
    super(message);
  }
}

/**
 * Calls the admin API with the held key or token as Bearer (a login refreshed once when it is
 * refused); JSON in and out, errors as {@link ApiError}.
 */
export async function api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await signed((token) =>
    fetch(path, {
      method,
      headers: { ...headers, ...bearer(token) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    }),
  );
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (!res.ok) {
    if (res.status === 401) dispatchEvent(new Event('gatehouse:unauthorized'));
    const e = (parsed ?? {}) as { error?: string; message?: string; field?: string };
    throw new ApiError(res.status, e.error ?? `HTTP_${res.status}`, e.message ?? text.slice(0, 200), e.field);
  }
  return parsed as T;
}

/** A live stream the server ended (it stopped or restarted): not a refusal, so worth opening again. */
export class StreamEnded extends Error {
  constructor() {
    super('the server ended the live stream');
  }
}

/**
 * Follows a Server-Sent Events stream of the admin API (fetch, not EventSource: the key or token
 * goes in a header, never in the URL; a login is refreshed once as for {@link api}). Calls
 * `onOpen` once the server has taken the subscription, then `onEvent` per event, and `onError`
 * when it cannot open, breaks or ends ({@link StreamEnded}); returns a function that stops it.
 */
export function follow(
  path: string,
  onEvent: (event: string, data: string) => void,
  onError: (error: unknown) => void,
  onOpen: () => void = () => {},
): () => void {
  const controller = new AbortController();
  (async () => {
    const res = await signed((token) =>
      fetch(path, {
        headers: { accept: 'text/event-stream', ...bearer(token) },
        signal: controller.signal,
      }),
    );
    if (res.status === 401) dispatchEvent(new Event('gatehouse:unauthorized'));
    if (!res.ok || !res.body) throw await refusal(res);
    onOpen();
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new StreamEnded();
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith('event:')) event = line.slice(6).trim();
          else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
        }
        if (data.length > 0) onEvent(event, data.join('\n'));
        end = buffer.indexOf('\n\n');
      }
    }
  })().catch((error: unknown) => {
    if (!controller.signal.aborted) onError(error);
  });
  return () => controller.abort();
}

/** A refused stream as an {@link ApiError}, with the code and message the API gave. */
async function refusal(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as { error?: string; message?: string };
  return new ApiError(
    res.status,
    body.error ?? `HTTP_${res.status}`,
    body.message ?? 'the stream was refused',
    undefined,
  );
}

/** A short text for an error, to show beside what failed. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return `${error.message} (${error.code})`;
  return error instanceof Error ? error.message : String(error);
}
