import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { sendEdgeError } from './error-page.ts';
import { writeRawError } from './error-response.ts';
import type { ClientInfo } from './forwarded.ts';
import type { RequestTarget } from './request-target.ts';

/** What answered an exchange, for the access log and metrics. */
export type AnswerKind = 'edge' | 'admin' | 'proxy' | 'relay' | 'tunnel' | (string & {});

/** What every exchange carries once the edge has checked it. */
interface ExchangeBase {
  readonly req: IncomingMessage;
  /** Host as sent, for forwarding headers. */
  readonly rawHost: string;
  /** Host lower-cased without port, for routing. */
  readonly host: string;
  readonly target: RequestTarget;
  readonly client: ClientInfo;
  /** Records what answers this exchange (`kind`, and the route id or tunnel name). */
  label(kind: AnswerKind, name?: string): void;
}

/** An ordinary request, answered through `res`. */
export interface RequestExchange extends ExchangeBase {
  readonly type: 'request';
  readonly res: ServerResponse;
}

/** An upgrade request (WebSocket and the like), answered on the raw socket. */
export interface UpgradeExchange extends ExchangeBase {
  readonly type: 'upgrade';
  readonly socket: Duplex;
  readonly head: Buffer;
  /** Reports the status the client got, once, when the exchange is over. */
  done(status: number): void;
}

/** A request or an upgrade: what dispatch, guards and route handlers work on. */
export type Exchange = RequestExchange | UpgradeExchange;

/**
 * Answers the exchange with an error: an HTML page or JSON (by `Accept`) for a request, a JSON
 * response on the raw socket for an upgrade.
 */
export function answerError(exchange: Exchange, error: unknown): void {
  if (exchange.type === 'request') {
    if (exchange.res.headersSent) exchange.res.destroy();
    else sendEdgeError(exchange.req, exchange.res, error);
    return;
  }
  exchange.done(writeRawError(exchange.socket, error));
}
