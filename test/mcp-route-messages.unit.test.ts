import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, test } from 'node:test';
import { answerInspector, type CallOutcome } from '../src/mcp/route/answer-inspector.ts';
import { callsOf, checkHeaders } from '../src/mcp/route/mcp-message.ts';
import { nameAllowed } from '../src/mcp/route/mcp-policy.ts';

const call = (method: string, params: Record<string, unknown> = {}) => ({
  jsonrpc: '2.0',
  id: 1,
  method,
  params,
});

describe('Mcp-Method and Mcp-Name against the body', () => {
  const body = callsOf(call('tools/call', { name: 'echo', arguments: { text: 'x' } }));
  const cases: [what: string, headers: Record<string, string>, refused: RegExp | undefined][] = [
    ['no headers from a 2025 client', {}, undefined],
    ['both headers as the body says', { 'mcp-method': 'tools/call', 'mcp-name': 'echo' }, undefined],
    ['another method', { 'mcp-method': 'tools/list' }, /Mcp-Method says tools\/list/],
    ['another name', { 'mcp-method': 'tools/call', 'mcp-name': 'drop' }, /Mcp-Name says drop/],
    ['2026-07-28 without Mcp-Method', { 'mcp-protocol-version': '2026-07-28' }, /Mcp-Method is missing/],
    [
      '2026-07-28 without Mcp-Name for a tool call',
      { 'mcp-protocol-version': '2026-07-28', 'mcp-method': 'tools/call' },
      /Mcp-Name is missing/,
    ],
  ];
  for (const [what, headers, refused] of cases)
    test(what, () => {
      if (refused) assert.throws(() => checkHeaders(headers, body), refused);
      else assert.doesNotThrow(() => checkHeaders(headers, body));
    });

  test('a resource is named by its URI; a batch cannot carry the headers', () => {
    const read = callsOf(call('resources/read', { uri: 'file:///a' }));
    assert.doesNotThrow(() =>
      checkHeaders({ 'mcp-method': 'resources/read', 'mcp-name': 'file:///a' }, read),
    );
    const batch = callsOf([call('tools/list'), call('tools/list')]);
    assert.throws(() => checkHeaders({ 'mcp-method': 'tools/list' }, batch), /batch/);
  });

  test('the arguments are kept only as a hash, and bodies that are not JSON-RPC are refused', () => {
    const [one] = callsOf(call('tools/call', { name: 'echo', arguments: { secret: 's3cr3t' } }));
    assert.match(one!.argumentsHash ?? '', /^[0-9a-f]{64}$/);
    assert.ok(!JSON.stringify(one).includes('s3cr3t'));
    for (const bad of [[], 'text', 5, null, [1]]) assert.throws(() => callsOf(bad), /JSON-RPC/);
  });
});

describe('tool patterns', () => {
  for (const [patterns, name, allowed] of [
    [['*'], 'anything', true],
    [['read_*'], 'read_file', true],
    [['read_*'], 'write_file', false],
    [['echo'], 'echo', true],
    [['echo'], 'echo2', false],
    [[], 'echo', false],
  ] as const)
    test(`${JSON.stringify(patterns)} ${allowed ? 'allows' : 'refuses'} ${name}`, () => {
      assert.equal(nameAllowed(patterns, name), allowed);
    });
});

describe('answers on their way: lists filtered, outcomes noted', () => {
  const tools = { tools: [{ name: 'echo' }, { name: 'drop' }, { name: 'read_a' }] };
  const watched = new Map([[7, { key: 'tools', field: 'name', patterns: ['echo', 'read_*'] }]]);
  const run = async (contentType: string, chunks: string[]) => {
    const outcomes: [string | number, CallOutcome][] = [];
    const out = await text(
      Readable.from(chunks.map((c) => Buffer.from(c))).pipe(
        answerInspector(contentType, watched, (id, outcome) => outcomes.push([id, outcome])),
      ),
    );
    return { out, outcomes };
  };

  test('JSON: the list keeps what the caller may use', async () => {
    const { out, outcomes } = await run('application/json', [
      JSON.stringify({ jsonrpc: '2.0', id: 7, result: tools }),
    ]);
    assert.deepEqual(JSON.parse(out).result.tools, [{ name: 'echo' }, { name: 'read_a' }]);
    assert.deepEqual(outcomes, [[7, 'ok']]);
  });

  test('SSE split anywhere, with CRLF and a priming event: filtered event by event, the rest as it came', async () => {
    const message = JSON.stringify({ jsonrpc: '2.0', id: 7, result: tools });
    const stream = `id: 0\r\ndata: \r\n\r\nevent: message\r\nid: 1\r\ndata: ${message}\r\n\r\n`;
    const { out, outcomes } = await run('text/event-stream', [
      stream.slice(0, 17),
      stream.slice(17, 60),
      stream.slice(60),
    ]);
    const events = out.split('\n\n').filter(Boolean);
    assert.equal(events[0], 'id: 0\ndata: ');
    assert.match(events[1]!, /^event: message\nid: 1\ndata: /);
    const data = JSON.parse(events[1]!.split('\n').at(-1)!.slice(6));
    assert.deepEqual(data.result.tools, [{ name: 'echo' }, { name: 'read_a' }]);
    assert.deepEqual(outcomes, [[7, 'ok']]);
  });

  test('an error and a tool error are noted as such', async () => {
    const error = await run('application/json', [
      JSON.stringify({ jsonrpc: '2.0', id: 7, error: { code: -32602, message: 'x' } }),
    ]);
    assert.deepEqual(error.outcomes, [[7, 'error -32602']]);
    const failed = await run('application/json', [
      JSON.stringify({ jsonrpc: '2.0', id: 7, result: { isError: true, content: [] } }),
    ]);
    assert.deepEqual(failed.outcomes, [[7, 'tool-error']]);
  });
});
