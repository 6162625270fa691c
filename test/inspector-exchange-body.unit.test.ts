import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hexDump, showBody, showRaw } from '../src/tunnel/agent/exchange-body.ts';
import { readEdits } from '../src/tunnel/agent/inspector-replay.ts';

describe('how the inspector shows a body', () => {
  test('each kind by its content type and its bytes', () => {
    const cases: [string, Buffer, string | undefined, string][] = [
      ['nothing', Buffer.alloc(0), 'application/json', 'empty'],
      ['JSON', Buffer.from('{"a":1}'), 'application/json; charset=utf-8', 'json'],
      ['a JSON suffix type', Buffer.from('{"a":1}'), 'application/problem+json', 'json'],
      ['unlabelled JSON', Buffer.from('[1,2]'), undefined, 'json'],
      ['unlabelled text that only looks like JSON', Buffer.from('{not json'), undefined, 'text'],
      ['a form', Buffer.from('a=1&b=two'), 'application/x-www-form-urlencoded', 'form'],
      ['text with tabs and newlines', Buffer.from('line\tone\r\nline two\n'), 'text/plain', 'text'],
      ['UTF-8 text', Buffer.from('grüße, 東京'), 'text/plain', 'text'],
      ['a PNG', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), 'image/png', 'binary'],
      ['a NUL in JSON', Buffer.from('{"a":"\u0000"}'), 'application/json', 'binary'],
      ['invalid UTF-8', Buffer.from([0x61, 0xff, 0x62]), 'text/plain', 'binary'],
    ];
    for (const [what, bytes, type, kind] of cases) {
      const shown = showBody([bytes], bytes.length, type ? { 'content-type': type } : {});
      assert.equal(shown.kind, kind, what);
      if (kind === 'binary') {
        assert.equal(shown.text, '', `${what}: never decoded as text`);
        assert.equal(Buffer.from(shown.base64!, 'base64').compare(bytes), 0, what);
      } else assert.equal(shown.text, bytes.toString('utf8'), what);
    }
  });

  test('kept and total bytes, when the capture was cut', () => {
    const shown = showBody([Buffer.from('abc')], 10, {});
    assert.deepEqual([shown.bytes, shown.total], [3, 10]);
  });

  test('a hex dump: offset, sixteen bytes, their printable characters, and what was left out', () => {
    const bytes = Buffer.from('GIF89a\u0000\u0001 hello, world!!');
    assert.equal(
      hexDump(bytes, 16),
      '00000000  47 49 46 38 39 61 00 01 20 68 65 6c 6c 6f 2c 20  GIF89a.. hello, \n… 7 more bytes',
    );
  });

  test('raw bytes: the head as it was, a binary body as hex', () => {
    const head = 'HTTP/1.1 200 OK\r\ncontent-type: image/png\r\n\r\n';
    const raw = showRaw([Buffer.from(head), Buffer.from([0x89, 0x50, 0x4e, 0x47])]);
    assert.equal(raw?.bytes, head.length + 4);
    assert.equal(raw?.text, `${head}00000000  89 50 4e 47${' '.repeat(36)}  .PNG`);
    assert.equal(showRaw(undefined), null);
  });
});

describe('the edits a replay takes', () => {
  test('what is accepted', () => {
    assert.deepEqual(readEdits(undefined), {});
    const edits = { method: 'PUT', path: '/a?b=1', headers: { 'x-debug': '1' }, body: 'hi' };
    assert.deepEqual(readEdits(edits), edits);
  });

  test('what is refused, naming the field', () => {
    for (const [edits, message] of [
      [[], /JSON object/],
      [{ method: 'GET /x' }, /method must be/],
      [{ path: 'orders' }, /path must start with \//],
      [{ path: '/a b' }, /path must start with \//],
      [{ headers: ['x'] }, /headers must be an object/],
      [{ headers: { 'bad name': 'x' } }, /header "bad name"/],
      [{ headers: { 'x-a': 'one\r\ntwo' } }, /header "x-a"/],
      [{ body: 42 }, /body must be text/],
    ] as const)
      assert.throws(() => readEdits(edits), { code: 'BAD_REQUEST', message }, JSON.stringify(edits));
  });
});
