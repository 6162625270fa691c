import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { TestGateway } from './helpers/gateway.ts';
import { startRelayGateway } from './helpers/relay.ts';
import { startUpstream, type Upstream } from './helpers/upstream.ts';

const SECRET = 'relay-body-limits-secret';
const HOST = 'limits.example.test';
const WEBHOOK_CAP = 64 * 1024;
/** The registration API's cap, as docs/guides/relay-and-webhooks.md gives it. */
const RELAY_API_MAX_BODY_BYTES = 16 * 1024;
/** Far more than any cap: the client stops writing once it is answered. */
const OFFERED = 32 * 1024 * 1024;

/**
 * Sends a request head, then body chunks for as long as the server has not answered (up to
 * `OFFERED` bytes). Resolves with the answer and how many body bytes were written before it came.
 */
function sendUntilAnswered(
  port: number,
  head: string,
  framing: 'length' | 'chunked',
): Promise<{ answer: string; sentBeforeAnswer: number; closed: Promise<unknown> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    // Not events.once: it rejects on the EPIPE expected once the server stops reading.
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    const piece = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    let sentBeforeAnswer: number | undefined;
    let answer = '';
    socket.on('error', () => {});
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => {
      sentBeforeAnswer ??= sent;
      answer += text;
      const end = answer.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: *(\d+)/i.exec(answer)?.[1];
      if (end >= 0 && length && answer.length >= end + 4 + Number(length))
        resolve({ answer, sentBeforeAnswer, closed });
    });
    socket.on('close', () => {
      if (answer) resolve({ answer, sentBeforeAnswer: sentBeforeAnswer ?? sent, closed });
      else reject(new Error(`the server closed the connection without answering, after ${sent} bytes`));
    });
    const write = async () => {
      socket.write(head);
      while (sentBeforeAnswer === undefined && sent < OFFERED && !socket.destroyed) {
        const data = framing === 'chunked' ? `${piece.length.toString(16)}\r\n${piece}\r\n` : piece;
        sent += piece.length;
        if (!socket.write(data))
          await Promise.race([new Promise((done) => socket.once('drain', done)), closed]);
      }
      // Offered it all unanswered: end the body so a server that reads it whole answers now.
      if (sentBeforeAnswer === undefined && framing === 'chunked') socket.write('0\r\n\r\n');
    };
    socket.once('connect', () => {
      write().catch(() => {});
    });
  });
}

function head(path: string, framing: 'length' | 'chunked'): string {
  return (
    `POST ${path} HTTP/1.1\r\nHost: ${HOST}\r\nContent-Type: application/json\r\nAccept: application/json\r\n` +
    (framing === 'chunked' ? 'Transfer-Encoding: chunked\r\n' : `Content-Length: ${OFFERED}\r\n`) +
    '\r\n'
  );
}

function parse(answer: string): {
  status: number;
  headers: string;
  body: { error: string; message: string };
} {
  const end = answer.indexOf('\r\n\r\n');
  return {
    status: Number(answer.slice(9, 12)),
    headers: answer.slice(0, end).toLowerCase(),
    body: JSON.parse(answer.slice(end + 4)),
  };
}

describe('bodies the relay reads are capped while reading', () => {
  let gw: TestGateway;
  let deployed: Upstream;
  before(async () => {
    gw = await startRelayGateway(SECRET);
    deployed = await startUpstream();
    await gw.addRoute({ host: HOST, target: deployed.url, relay: {} });
    await gw.addRoute({
      host: HOST,
      path: '/hooks',
      target: deployed.url,
      relay: { webhooks: { paths: ['/hooks'], select: 'broadcast', maxBodyBytes: WEBHOOK_CAP } },
    });
  });
  after(async () => {
    await gw.stop();
    await deployed.close();
  });

  for (const framing of ['length', 'chunked'] as const) {
    test(`POST /register with a huge body (${framing}): 413 naming the limit, before the body is sent, and the connection closes`, async () => {
      const { answer, sentBeforeAnswer, closed } = await sendUntilAnswered(
        gw.port,
        head('/api/v1/dev-proxy/register', framing),
        framing,
      );
      const { status, headers, body } = parse(answer);
      assert.equal(status, 413, answer);
      assert.equal(body.error, 'RELAY_BODY_TOO_LARGE');
      assert.match(body.message, new RegExp(`limit of ${RELAY_API_MAX_BODY_BYTES} bytes`));
      assert.match(headers, /\r\nconnection: close/);
      assert.ok(sentBeforeAnswer < OFFERED / 4, `answered only after ${sentBeforeAnswer} bytes`);
      await closed;
    });

    test(`a webhook over relay.webhooks.maxBodyBytes (${framing}): 413 before the body is sent`, async () => {
      const { answer, sentBeforeAnswer, closed } = await sendUntilAnswered(
        gw.port,
        head('/hooks/push', framing),
        framing,
      );
      const { status, headers, body } = parse(answer);
      assert.equal(status, 413, answer);
      assert.equal(body.error, 'RELAY_BODY_TOO_LARGE');
      assert.match(body.message, new RegExp(`larger than ${WEBHOOK_CAP} bytes.*maxBodyBytes`));
      assert.match(headers, /\r\nconnection: close/);
      assert.ok(sentBeforeAnswer < OFFERED / 4, `answered only after ${sentBeforeAnswer} bytes`);
      await closed;
      assert.equal(deployed.seen.length, 0, 'nothing reached the deployed app');
    });
  }
});
