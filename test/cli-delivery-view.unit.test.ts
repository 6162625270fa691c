import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type DeliveryView, deliveryDetail, deliverySummary } from '../src/cli/delivery-view.ts';

const base: DeliveryView = {
  id: 'd1',
  receivedAt: '2026-01-02T03:04:05.000Z',
  method: 'POST',
  pathAndQuery: '/hooks/github?x=1',
  authority: 'relay.example.com',
  headers: { 'content-type': 'application/json', authorization: '[redacted]', 'x-multi': ['a', 'b'] },
  body: Buffer.from('{"n":7}').toString('base64'),
  bodyBytes: 7,
  truncated: false,
  results: [
    { developer: 'alice', status: 200 },
    { developer: 'bob', status: 502, error: 'unreachable', replay: true },
  ],
};

describe('deliveries show prints the request, not the list line', () => {
  test('summary, request line, host, headers and the decoded body', () => {
    assert.equal(
      deliveryDetail(base),
      [
        'd1  2026-01-02T03:04:05.000Z  POST /hooks/github?x=1  7 bytes',
        '    → alice: 200',
        '    → bob: 502 (unreachable) [replay]',
        '',
        'POST /hooks/github?x=1',
        'host: relay.example.com',
        'content-type: application/json',
        'authorization: [redacted]',
        'x-multi: a',
        'x-multi: b',
        '',
        '{"n":7}',
      ].join('\n'),
    );
    assert.equal(
      deliveryDetail(base).split('\n\n')[0],
      deliverySummary(base),
      'list and show share the line',
    );
  });

  const bodies: [name: string, body: Buffer, truncated: boolean, shown: string][] = [
    ['no body', Buffer.alloc(0), false, '(no body)'],
    ['text with tabs and lines', Buffer.from('a\tb\r\nc'), false, 'a\tb\r\nc'],
    [
      'not UTF-8',
      Buffer.from([0xff, 0xfe, 0x00]),
      false,
      '(3 bytes that are not UTF-8 text; --json gives them in base64)',
    ],
    [
      'a terminal escape',
      Buffer.from('x\u001b[2Jy'),
      false,
      '(6 bytes of binary data; --json gives them in base64)',
    ],
    [
      'a C1 control',
      Buffer.from('x\u009b2Jy'),
      false,
      '(6 bytes of binary data; --json gives them in base64)',
    ],
    ['a preview', Buffer.from('{"a":'), true, '{"a":\n(the first 5 bytes; the delivery keeps all of it)'],
  ];
  for (const [name, body, truncated, shown] of bodies) {
    test(`body: ${name}`, () => {
      const text = deliveryDetail({ ...base, body: body.toString('base64'), truncated });
      assert.ok(text.endsWith(`\n\n${shown}`), text);
    });
  }
});
