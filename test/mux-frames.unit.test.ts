import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  controlFrame,
  creditFrame,
  FrameDecoder,
  FrameType,
  frameHeader,
  MAX_CONTROL_PAYLOAD,
  MAX_DATA_FRAME,
} from '../src/tunnel/protocol/mux-frames.ts';

interface Seen {
  frames: { type: number; id: number; payload: string }[];
  data: Map<number, Buffer[]>;
  errors: string[];
}

function decoder(): { decoder: FrameDecoder; seen: Seen } {
  const seen: Seen = { frames: [], data: new Map(), errors: [] };
  const d = new FrameDecoder({
    frame: (type, _flags, id, payload) => seen.frames.push({ type, id, payload: payload.toString('hex') }),
    data: (id, piece) => {
      const pieces = seen.data.get(id) ?? [];
      pieces.push(Buffer.from(piece));
      seen.data.set(id, pieces);
    },
    error: (message) => seen.errors.push(message),
  });
  return { decoder: d, seen };
}

function dataFrame(id: number, body: Buffer): Buffer {
  return Buffer.concat([frameHeader(FrameType.DATA, 0, id, body.length), body]);
}

const wire = Buffer.concat([
  controlFrame(FrameType.OPEN, 1, Buffer.of(1)),
  dataFrame(1, Buffer.from('GET / HTTP/1.1\r\n\r\n')),
  creditFrame(3, 65536),
  controlFrame(FrameType.END, 1),
  dataFrame(5, Buffer.alloc(0)),
  controlFrame(FrameType.PING, 0, Buffer.from('12345678')),
]);

describe('FrameDecoder', () => {
  it('reads the same frames however the bytes are split', () => {
    const whole = decoder();
    whole.decoder.push(wire);
    assert.deepEqual(whole.seen.errors, []);
    assert.deepEqual(
      whole.seen.frames.map((f) => [f.type, f.id]),
      [
        [FrameType.OPEN, 1],
        [FrameType.CREDIT, 3],
        [FrameType.END, 1],
        [FrameType.PING, 0],
      ],
    );
    assert.equal(Buffer.concat(whole.seen.data.get(1)!).toString(), 'GET / HTTP/1.1\r\n\r\n');
    for (const step of [1, 2, 5, 9, 10, 17]) {
      const split = decoder();
      for (let at = 0; at < wire.length; at += step) split.decoder.push(wire.subarray(at, at + step));
      assert.deepEqual(split.seen.frames, whole.seen.frames, `split every ${step} bytes`);
      assert.equal(Buffer.concat(split.seen.data.get(1)!).toString(), 'GET / HTTP/1.1\r\n\r\n');
      assert.deepEqual(split.seen.errors, []);
    }
  });

  it('hands DATA on in the pieces it arrived in, without reassembling', () => {
    const body = Buffer.alloc(MAX_DATA_FRAME, 7);
    const frame = dataFrame(9, body);
    const { decoder: d, seen } = decoder();
    d.push(frame.subarray(0, 1000));
    d.push(frame.subarray(1000));
    assert.deepEqual(
      seen.data.get(9)!.map((p) => p.length),
      [1000 - 9, MAX_DATA_FRAME - (1000 - 9)],
    );
  });

  const bad: [string, Buffer, RegExp][] = [
    [
      'an unknown frame type',
      Buffer.concat([frameHeader(77 as FrameType, 0, 1, 0)]),
      /unknown frame type 77/,
    ],
    [
      'a DATA frame over the largest size',
      frameHeader(FrameType.DATA, 0, 1, MAX_DATA_FRAME + 1),
      /DATA frame of 65537 bytes/,
    ],
    ['DATA on stream 0', frameHeader(FrameType.DATA, 0, 0, 4), /DATA frame on stream 0/],
    [
      'a control frame over its largest size',
      frameHeader(FrameType.INFO, 0, 1, MAX_CONTROL_PAYLOAD + 1),
      /over 16384/,
    ],
    ['a length near 16 MiB', frameHeader(FrameType.OPEN, 0, 1, 0xff_fff0), /over 16384/],
  ];
  for (const [name, bytes, message] of bad) {
    it(`refuses ${name}, and reads nothing after it`, () => {
      const { decoder: d, seen } = decoder();
      d.push(Buffer.concat([bytes, controlFrame(FrameType.END, 1)]));
      assert.equal(seen.errors.length, 1);
      assert.match(seen.errors[0]!, message);
      assert.deepEqual(seen.frames, []);
    });
  }
});
