import type { DashboardMessage } from '../../../src/telemetry/dashboard/dashboard-messages.ts';

/** Where the page stands with the server. */
export type ConnectionState =
  | { readonly kind: 'connecting' }
  | { readonly kind: 'open' }
  | { readonly kind: 'retrying'; readonly inSeconds: number; readonly why: string }
  /** The server refused the token (or the dashboard is off): retrying would not help. */
  | { readonly kind: 'refused'; readonly message: string };

/** Callbacks of {@link connect}. */
export interface ConnectionEvents {
  message(message: DashboardMessage): void;
  state(state: ConnectionState): void;
}

const SOCKET_PATH = '/fleet/dashboard/ws';
const TOKEN_EXPIRED = 1008;

/**
 * Keeps a WebSocket to the dashboard open with the token, reconnecting with backoff. A refused
 * upgrade shows no reason in a browser, so the page then asks the same URL over HTTP for it.
 * Returns the way to stop.
 */
export function connect(token: string, events: ConnectionEvents): () => void {
  let stopped = false;
  let ws: WebSocket | undefined;
  let timer: number | undefined;
  let failures = 0;
  const url = `${SOCKET_PATH}?token=${encodeURIComponent(token)}`;

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
      if (event.code === TOKEN_EXPIRED) {
        events.state({ kind: 'refused', message: 'The token has expired: open the page with a new one.' });
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
      if (res.status === 401 || res.status === 503) {
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
