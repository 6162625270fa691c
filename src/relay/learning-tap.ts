import { Transform } from 'node:stream';
import { ByteCollector } from '../core/bounded-body.ts';
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
  const kept = new ByteCollector(limit);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (isJson) kept.add(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      let body: unknown;
      const bytes = isJson && !kept.overflowed ? kept.bytes() : undefined;
      if (bytes && bytes.length > 0) {
        try {
          body = JSON.parse(bytes.toString('utf8'));
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
