import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

export const GIB = 1024 ** 3;

/**
 * The time a step that moves or hashes 1 GiB is given: 5 to 10 s alone, several times that beside
 * other suites on two busy cores, so more than the 60 s a test has by default.
 */
export const GIB_STEP = { timeout: 120_000 };
const BLOCK = 64 * 1024;

/** A deterministic 64 KiB block, stamped with its index so that reordering shows in the digest. */
function block(i: number): Buffer {
  const b = Buffer.alloc(BLOCK, i % 251);
  b.writeUInt32BE(i, 0);
  return b;
}

/** `total` bytes of the pattern, produced as they are read. */
export function patternStream(total: number): Readable {
  let i = 0;
  const blocks = total / BLOCK;
  return new Readable({
    read() {
      this.push(i < blocks ? block(i++) : null);
    },
  });
}

/** SHA-256 of `total` bytes of the pattern. */
export function patternDigest(total: number): string {
  const hash = createHash('sha256');
  for (let i = 0; i < total / BLOCK; i++) hash.update(block(i));
  return hash.digest('hex');
}

/** Hashes a stream as it flows; resolves with its length and digest. */
export async function digestOf(stream: AsyncIterable<unknown>): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** An upstream handler: POST answers with the body's length and digest, GET sends `total` pattern bytes. */
export function bulkHandler(total: number) {
  return (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST') {
      digestOf(req).then((d) => res.end(JSON.stringify(d)));
    } else {
      res.writeHead(200, { 'content-length': String(total), 'content-type': 'application/octet-stream' });
      patternStream(total).pipe(res);
    }
  };
}
