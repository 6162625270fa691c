import { Transform } from 'node:stream';
import { learnStates } from './state-learning.ts';

/**
 * Passes a response body through unchanged while keeping up to `limit` bytes of a JSON body; at
 * the end, hands the states it reveals (with those in the headers) to `remember` and waits for it,
 * so the mapping exists before the client has the whole answer.
 */
export function learningTap(
  headers: Readonly<Record<string, string | string[]>>,
  param: string,
  limit: number,
  remember: (states: string[]) => Promise<void>,
): Transform {
  const isJson = /\bjson\b/i.test(String(headers['content-type'] ?? ''));
  const kept: Buffer[] = [];
  let size = 0;
  let overflow = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (isJson && !overflow) {
        size += chunk.length;
        if (size > limit) {
          overflow = true;
          kept.length = 0;
        } else kept.push(chunk);
      }
      callback(null, chunk);
    },
    flush(callback) {
      let body: unknown;
      if (isJson && !overflow && kept.length > 0) {
        try {
          body = JSON.parse(Buffer.concat(kept).toString('utf8'));
        } catch {
          body = undefined;
        }
      }
      const states = learnStates(headers, body, param);
      if (states.length === 0) {
        callback();
        return;
      }
      remember(states).then(
        () => callback(),
        () => callback(),
      );
    },
  });
}
