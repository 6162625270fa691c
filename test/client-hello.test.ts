import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { type ClientHelloPeek, MAX_HELLO_BYTES, peekClientHello } from '../src/edge/listen/client-hello.ts';
import {
  captureClientHello,
  extension,
  helloMessage,
  helloNaming,
  record,
  reframe,
  serverNameList,
  vector,
} from './helpers/client-hello.ts';

const NAME = 'car.gatehouse.test';

function kindOf(peek: ClientHelloPeek): string {
  return peek.kind === 'hello' ? `hello ${peek.serverName ?? '-'}` : peek.kind;
}

describe('reading the server name of a ClientHello', () => {
  let real: Buffer;
  let unnamed: Buffer;
  before(async () => {
    real = await captureClientHello(NAME);
    unnamed = await captureClientHello(undefined);
  });

  test("a real client's hello names its server", () => {
    assert.deepEqual(peekClientHello(real), { kind: 'hello', serverName: NAME, alpn: [] });
  });

  test('a hello offering ALPN protocols lists them in order (TLS-ALPN-01 is told by acme-tls/1)', async () => {
    const offered = await captureClientHello(NAME, ['acme-tls/1', 'http/1.1']);
    assert.deepEqual(peekClientHello(offered), {
      kind: 'hello',
      serverName: NAME,
      alpn: ['acme-tls/1', 'http/1.1'],
    });
  });

  test('a hello without server_name names none', () => {
    assert.deepEqual(peekClientHello(unnamed), { kind: 'hello', serverName: undefined, alpn: [] });
  });

  test('names are compared lower-cased', () => {
    assert.equal(kindOf(peekClientHello(helloNaming('Car.GateHouse.Test'))), `hello ${NAME}`);
  });

  test('every truncation of a real hello asks for more bytes, never decides', () => {
    for (let n = 0; n < real.length; n++)
      assert.equal(peekClientHello(real.subarray(0, n)).kind, 'incomplete', `first ${n} bytes`);
  });

  test('a hello split over many records is reassembled, and every truncation of it is incomplete', () => {
    for (const size of [1, 2, 3, 7, 100, 512]) {
      const split = reframe(real, size);
      assert.equal(kindOf(peekClientHello(split)), `hello ${NAME}`, `records of ${size} bytes`);
      if (size >= 100)
        for (let n = 0; n < split.length; n++)
          assert.equal(peekClientHello(split.subarray(0, n)).kind, 'incomplete', `${size}: ${n} bytes`);
    }
  });

  test('bytes after the hello do not matter', () => {
    const more = Buffer.concat([real, record(20, Buffer.from([1])), Buffer.alloc(3000, 9)]);
    assert.equal(kindOf(peekClientHello(more)), `hello ${NAME}`);
  });

  const hostile: [what: string, bytes: () => Buffer, reason: RegExp][] = [
    ['plain HTTP', () => Buffer.from('GET / HTTP/1.1\r\nhost: car\r\n\r\n'), /not a TLS handshake/],
    ['an SSL 2 style hello', () => Buffer.from([0x80, 0x2e, 0x01, 0x03, 0x01]), /not a TLS handshake/],
    ['application data first', () => record(23, Buffer.alloc(10)), /type 23/],
    ['a one-byte non-TLS start', () => Buffer.from([0x16, 0x02]), /version 2/],
    ['an empty record', () => record(22, Buffer.alloc(0)), /empty/],
    [
      'a record over 2^14 bytes',
      () => Buffer.from([22, 3, 1, 0x40, 0x01]),
      /16385 bytes, more than TLS allows/,
    ],
    ['a ServerHello', () => record(22, Buffer.from([2, 0, 0, 1, 0])), /type 2 where a ClientHello/],
    [
      'a ClientHello claiming 16 MiB',
      () => record(22, Buffer.from([1, 0xff, 0xff, 0xff])),
      new RegExp(`more than ${MAX_HELLO_BYTES}`),
    ],
    [
      'a handshake record after a non-handshake one',
      () => Buffer.concat([record(22, helloMessage().subarray(0, 10)), record(21, Buffer.from([2, 40]))]),
      /type 21/,
    ],
    [
      'a session id of 33 bytes',
      () => record(22, helloMessage({ sessionId: vector(1, Buffer.alloc(33)) })),
      /session id of 33/,
    ],
    [
      'an odd cipher suite list',
      () => record(22, helloMessage({ suites: vector(2, Buffer.alloc(3)) })),
      /cipher suite list of 3/,
    ],
    [
      'no cipher suites',
      () => record(22, helloMessage({ suites: vector(2, Buffer.alloc(0)) })),
      /cipher suite list of 0/,
    ],
    [
      'no compression methods',
      () => record(22, helloMessage({ compressions: vector(1, Buffer.alloc(0)) })),
      /no compression/,
    ],
    [
      'a length that runs past the hello',
      () => record(22, helloMessage({ suites: Buffer.from([0xff, 0xf0, 0, 1]) })),
      /ends inside its cipher suites/,
    ],
    [
      'extensions shorter than their length',
      () => record(22, helloMessage({ extensions: Buffer.from([0, 50, 0, 0]) })),
      /extensions of 50 bytes where 2 remain/,
    ],
    [
      'one byte of extensions',
      () => record(22, helloMessage({ extensions: Buffer.from([0]) })),
      /ends inside its extensions length/,
    ],
    [
      'an extension longer than the block',
      () => record(22, helloMessage({ extensions: vector(2, Buffer.from([0, 0, 0, 90, 1])) })),
      /ends inside its extension 0/,
    ],
    [
      'server_name twice',
      () => {
        const sni = extension(0, serverNameList([[0, NAME]]));
        return record(22, helloMessage({ extensions: vector(2, Buffer.concat([sni, sni])) }));
      },
      /extension 0 appears twice/,
    ],
    [
      'an empty server name list',
      () => record(22, helloMessage({ extensions: vector(2, extension(0, vector(2, Buffer.alloc(0)))) })),
      /server name list of 0 bytes/,
    ],
    [
      'a server name list longer than its extension',
      () => record(22, helloMessage({ extensions: vector(2, extension(0, Buffer.from([0, 9, 0]))) })),
      /server name list of 9 bytes where 1 remain/,
    ],
    [
      'two host names',
      () =>
        record(
          22,
          helloMessage({
            extensions: vector(
              2,
              extension(
                0,
                serverNameList([
                  [0, NAME],
                  [0, 'other.test'],
                ]),
              ),
            ),
          }),
        ),
      /two host names/,
    ],
    [
      'a name of an unknown type only',
      () => record(22, helloMessage({ extensions: vector(2, extension(0, serverNameList([[7, NAME]]))) })),
      /without a host name/,
    ],
    ['an empty host name', () => helloNaming(''), /server name of 0 bytes/],
    ['a host name of 254 bytes', () => helloNaming(`${'a.'.repeat(126)}ab`), /server name of 254 bytes/],
    ['a label of 64 characters', () => helloNaming(`${'a'.repeat(64)}.test`), /is not a host name/],
    ['a trailing dot', () => helloNaming('car.test.'), /is not a host name/],
    ['an empty label', () => helloNaming('car..test'), /is not a host name/],
    ['a leading hyphen', () => helloNaming('-car.test'), /is not a host name/],
    ['a NUL byte', () => helloNaming(Buffer.from('car\0.test')), /is not a host name/],
    ['a space', () => helloNaming('car test'), /is not a host name/],
    ['a slash', () => helloNaming('car.test/x'), /is not a host name/],
    ['bytes above ASCII', () => helloNaming(Buffer.from('cär.test')), /is not a host name/],
  ];
  for (const [what, bytes, reason] of hostile) {
    test(`refuses ${what}`, () => {
      const peek = peekClientHello(bytes());
      assert.equal(peek.kind, 'other');
      if (peek.kind === 'other') assert.match(peek.reason, reason);
    });
  }

  test('an unknown name type beside the host name is skipped', () => {
    const list = serverNameList([
      [9, 'whatever'],
      [0, NAME],
    ]);
    const hello = record(22, helloMessage({ extensions: vector(2, extension(0, list)) }));
    assert.equal(kindOf(peekClientHello(hello)), `hello ${NAME}`);
  });

  test('a hello dribbled in records of one byte stops being waited for after 64 KiB', () => {
    const message = helloMessage({ extensions: vector(2, extension(21, Buffer.alloc(20_000))) });
    const tiny = reframe(record(22, message), 1);
    assert.equal(peekClientHello(tiny.subarray(0, 60_000)).kind, 'incomplete');
    assert.equal(peekClientHello(tiny.subarray(0, 70_000)).kind, 'other');
  });

  test('random damage to a real hello never throws', () => {
    // A fixed seed: the same damage every run.
    let seed = 0x2545f491;
    const random = (n: number) => {
      seed ^= seed << 13;
      seed ^= seed >>> 17;
      seed ^= seed << 5;
      return (seed >>> 0) % n;
    };
    const kinds = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const bytes = Buffer.from(real.subarray(0, 1 + random(real.length)));
      for (let flips = 1 + random(4); flips > 0; flips--) bytes[random(bytes.length)] = random(256);
      const peek = peekClientHello(bytes);
      assert.ok(['incomplete', 'hello', 'other'].includes(peek.kind));
      kinds.add(peek.kind);
    }
    assert.deepEqual([...kinds].sort(), ['hello', 'incomplete', 'other']);
  });
});
