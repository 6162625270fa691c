import type { DashboardMessage } from '../../../src/telemetry/dashboard/dashboard-messages.ts';

/** Where the page stands with the server. */
export type ConnectionState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'open' }
  | { readonly kind: 'retrying'; readonly inSeconds: number; readonly why: string }
  /** The server refused the token, the Tesla login ended, or the dashboard is off: retrying would not help. */
  | { readonly kind: 'refused'; readonly message: string };

/** Callbacks of {@link connect}. */
export interface ConnectionEvents {
  message(message: DashboardMessage): void;
  state(state: ConnectionState): void;
}

const TOKEN_EXPIRED = 1008;
/** A Tesla login's socket closed because the login ended (logout, expiry, revocation): the reason says so. */
const SIGNED_OUT = 4401;

/**
 * The socket beside the page: `/fleet/dashboard/ws` for the operators' page, `{prefix}/dashboard/ws`
 * for a Tesla login's. The page's `?vin=` narrows it to one vehicle.
 */
function socketUrl(token: string | undefined): string {
  const query = new URLSearchParams();
  if (token) query.set('token', token);
  const vin = new URLSearchParams(location.search).get('vin');
  if (vin) query.set('vin', vin);
  const search = query.toString();
  const page = location.pathname.replace(/\/index\.html$/, '').replace(/\/+$/, '');
  return `${page}/ws${search ? `?${search}` : ''}`;
}

/**
 * Keeps a WebSocket to the dashboard open, with the token when there is one (a Tesla login's
 * page is signed in by its cookie), reconnecting with backoff. A refused upgrade shows no reason
 * in a browser, so the page then asks the same URL over HTTP for it. Returns the way to stop.
 */
export function connect(token: string | undefined, events: ConnectionEvents): () => void {
  let stopped = false;
  let ws: WebSocket | undefined;
  let timer: number | undefined;
  let failures = 0;
  const url = socketUrl(token);

  const open = () => {
    events.state({ kind: 'connecting' });
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${url}`);
    ws = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      failures = 0;
      events.state({ kind: 'open' });
    };
    socket.onmessage = (event) => events.message(JSON.parse(String(event.data)) as DashboardMessage);
    socket.onclose = (event) => {
      if (stopped) return;
      // Reconnecting would only be refused: the page says so and links to the login instead.
      if (event.code === SIGNED_OUT) {
        events.state({ kind: 'refused', message: event.reason || 'signed out: log in again' });
        return;
      }
      if (event.code === TOKEN_EXPIRED) {
        events.state({
          kind: 'refused',
          message: token
            ? 'The token has expired: open the page with a new one.'
            : 'Your Tesla login has ended: log in again.',
        });
        return;
      }
      if (opened) retry(event.code === 1013 ? 'the page fell behind the vehicles' : 'the connection closed');
      else void explainRefusal();
    };
  };

  const explainRefusal = async () => {
    try {
      const res = await fetch(url, { headers: { accept: 'application/json' } });
      const body = (await res.json()) as { message?: string };
      if (res.status === 401 || res.status === 403 || res.status === 503) {
        events.state({ kind: 'refused', message: body.message ?? `refused (${res.status})` });
        return;
      }
      retry(body.message ?? `the server answered ${res.status}`);
    } catch {
      retry('the server is unreachable');
    }
  };

  const retry = (why: string) => {
    if (stopped) return;
    failures++;
    const inSeconds = Math.min(30, 2 ** Math.min(failures - 1, 5));
    events.state({ kind: 'retrying', inSeconds, why });
    timer = window.setTimeout(open, inSeconds * 1000);
  };

  open();
  return () => {
    stopped = true;
    window.clearTimeout(timer);
    ws?.close();
  };
}
