import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TunnelView } from '../src/cli/tunnel-view.ts';
import type { ExchangeRecord } from '../src/tunnel/agent/local-forwarder.ts';

/** A stand-in for stdout or stderr, a terminal or not. */
function stream(isTTY: boolean): NodeJS.WriteStream & { text: () => string } {
  const writes: string[] = [];
  return {
    isTTY,
    columns: 200,
    write: (chunk: string) => writes.push(chunk) > 0,
    text: () => writes.join(''),
  } as never;
}

/** An exchange as the agent records it; a replay's unless `replay` is false. */
function exchange(fields: Partial<ExchangeRecord> = {}, replay = true): ExchangeRecord {
  return {
    id: 'c0ffee00-0000-4000-8000-000000000002',
    method: 'POST',
    path: '/orders?id=3',
    requestHeaders: {},
    status: 201,
    responseHeaders: {},
    startedAt: 0,
    durationMs: 12,
    bytesIn: 5,
    bytesOut: 30,
    requestBody: [],
    responseBody: [],
    ...(replay ? { replayOf: 'c0ffee00-0000-4000-8000-000000000001' } : {}),
    ...fields,
  };
}

/** The view writing to stand-ins; `noColor` is what NO_COLOR is while it is made. */
function viewOn(options: { tty: boolean; json?: boolean; noColor?: string }) {
  const stdout = stream(false);
  const stderr = stream(options.tty);
  const before = process.env['NO_COLOR'];
  if (options.noColor === undefined) delete process.env['NO_COLOR'];
  else process.env['NO_COLOR'] = options.noColor;
  try {
    return { view: new TunnelView(options.json ?? false, { stdout, stderr }), stdout, stderr };
  } finally {
    if (before === undefined) delete process.env['NO_COLOR'];
    else process.env['NO_COLOR'] = before;
  }
}

describe("a replay in the agent's terminal view", () => {
  // On a terminal a line is written above the status line: clear the line, write, redraw it.
  const ABOVE = '\r\x1b[2K';
  const cases = [
    { what: 'on a terminal, the tag in colour', tty: true, written: `${ABOVE}\x1b[35mreplay\x1b[0m` },
    { what: 'on a terminal with NO_COLOR, plain', tty: true, noColor: '1', written: `${ABOVE}replay` },
    { what: 'piped, plain', tty: false, written: 'replay' },
  ];
  for (const { what, tty, noColor, written } of cases)
    test(what, () => {
      const { view, stderr, stdout } = viewOn({ tty, ...(noColor ? { noColor } : {}) });
      view.replay(exchange());
      assert.equal(stderr.text(), `${written}  POST /orders?id=3 → 201  12 ms\n`);
      assert.equal(stdout.text(), '', 'no JSON without --json');
    });

  test('a replay the local server refused says why, tagged as well', () => {
    const { view, stderr } = viewOn({ tty: false });
    view.replay(exchange({ status: 502, error: 'connect ECONNREFUSED 127.0.0.1:3000' }));
    assert.equal(
      stderr.text(),
      'replay  POST /orders?id=3 → 502: local server connect ECONNREFUSED 127.0.0.1:3000\n',
    );
  });

  test('a request that crossed the tunnel gets no tag, and replays are not counted as tunnel traffic', () => {
    const { view, stderr } = viewOn({ tty: false });
    view.showRoutes({
      publicName: () => 'https://peek.example.com',
      localOrigin: 'http://127.0.0.1:3000',
      passthroughName: () => '',
      tlsLocal: undefined,
      inspectorUrl: () => undefined,
    });
    view.request(exchange({ status: 500, error: 'socket hang up' }, false));
    view.replay(exchange());
    const lines = stderr.text().split('\n').filter(Boolean);
    assert.deepEqual(lines, [
      'POST /orders?id=3 → 500: local server socket hang up',
      'replay  POST /orders?id=3 → 201  12 ms',
    ]);
    assert.match(view.line(), / 1 request {2}in 5 B {2}out 30 B/);
  });

  test('with --json, a request event naming the exchange it replays, and secrets redacted as elsewhere', () => {
    const { view, stdout, stderr } = viewOn({ tty: false, json: true });
    view.replay(exchange({ path: '/callback?code=s3cret&id=3' }));
    const [event, ...more] = stdout.text().split('\n').filter(Boolean);
    assert.equal(more.length, 0);
    const { time, ...fields } = JSON.parse(event!);
    assert.ok(!Number.isNaN(Date.parse(time)));
    assert.deepEqual(fields, {
      event: 'request',
      id: 'c0ffee00-0000-4000-8000-000000000002',
      method: 'POST',
      path: '/callback?code=[redacted]&id=3',
      status: 201,
      ms: 12,
      replayOf: 'c0ffee00-0000-4000-8000-000000000001',
    });
    assert.equal(stderr.text(), '', 'no line for a person with --json');
  });
});
