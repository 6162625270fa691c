import { type Agent, request } from 'undici';
import { outboundAgent } from '../http/outbound.ts';
import { pinnedAgent } from '../http/pinned-agent.ts';
import { hmacHex, registrationMessage, unregistrationMessage } from './signature.ts';

/** Where the relay is and how to reach it. */
export interface RelayEndpoint {
  /** The relay host's base URL, e.g. `https://dev.api.example.com`. */
  readonly url: URL;
  /** Registration API prefix on that host. */
  readonly prefix: string;
  readonly secret: string;
  /** Connect here instead of resolving the relay host (`host:port`), like curl's --connect-to. */
  readonly connectTo?: string | undefined;
}

/** The registered target: a Gatehouse tunnel by name, or an https URL. */
export type ClientTarget = { readonly tunnel: string } | { readonly tunnel_url: string };

/** Signs and sends `register` / `unregister` to a relay. */
export class RelayClient {
  readonly #endpoint: RelayEndpoint;
  readonly #dispatcher: Agent;

  constructor(endpoint: RelayEndpoint) {
    this.#endpoint = endpoint;
    if (endpoint.connectTo) {
      const [host] = splitHostPort(endpoint.connectTo);
      this.#dispatcher = pinnedAgent({ servername: endpoint.url.hostname, address: host });
    } else this.#dispatcher = outboundAgent();
  }

  register(
    target: ClientTarget,
    developerId: string,
    nowMs = Date.now(),
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    return this.#send('POST', 'register', target, developerId, nowMs);
  }

  unregister(
    target: ClientTarget,
    developerId: string,
    nowMs = Date.now(),
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    return this.#send('DELETE', 'unregister', target, developerId, nowMs);
  }

  async #send(
    method: 'POST' | 'DELETE',
    path: 'register' | 'unregister',
    target: ClientTarget,
    developerId: string,
    nowMs: number,
  ) {
    // Seconds with their fraction: two requests signed in the same second (a command run twice
    // in a row) still differ, so neither is refused as a replay. The text signed is the number as
    // JSON writes it, which is what the server reads back.
    const timestamp = nowMs / 1000;
    const text = 'tunnel' in target ? `tunnel:${target.tunnel}` : target.tunnel_url;
    const message = path === 'unregister' ? unregistrationMessage : registrationMessage;
    const body = {
      ...target,
      developer_id: developerId,
      timestamp,
      hmac_signature: hmacHex(this.#endpoint.secret, message(text, developerId, timestamp)),
    };
    const url = new URL(`${this.#endpoint.prefix}/${path}`, this.#endpoint.url);
    if (this.#endpoint.connectTo) {
      const [, port] = splitHostPort(this.#endpoint.connectTo);
      if (port) url.port = String(port);
    }
    const res = await request(url, {
      method,
      headers: { 'content-type': 'application/json', host: this.#endpoint.url.host },
      body: JSON.stringify(body),
      dispatcher: this.#dispatcher,
    });
    const text2 = await res.body.text();
    let parsed: Record<string, unknown> = {};
    try {
      parsed = JSON.parse(text2) as Record<string, unknown>;
    } catch {
      parsed = { message: text2.slice(0, 200) };
    }
    return { status: res.statusCode, body: parsed };
  }

  close(): void {
    this.#dispatcher.close().catch(() => {});
  }
}

function splitHostPort(value: string): [string, number | undefined] {
  const m = /^\[?([^\]]+?)\]?(?::(\d+))?$/.exec(value);
  return [m?.[1] ?? value, m?.[2] ? Number(m[2]) : undefined];
}
