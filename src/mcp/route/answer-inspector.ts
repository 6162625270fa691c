import { Transform, type TransformCallback } from 'node:stream';
import { nameAllowed } from './mcp-policy.ts';

/** A list answer's items to keep: those whose `field` one of `patterns` allows. */
export interface ListFilter {
  readonly key: string;
  readonly field: string;
  readonly patterns: readonly string[];
}

/** How a call ended, as the audit records it. */
export type CallOutcome = 'ok' | 'tool-error' | `error ${number}`;

/** Largest JSON answer read whole to filter and judge; a larger one passes through as it is. */
const MAX_JSON_BYTES = 16 * 1024 * 1024;

/** The messages of an answer this inspector looks at: by JSON-RPC id, the list filter if any. */
export type Watched = ReadonlyMap<string | number, ListFilter | undefined>;

/**
 * The upstream's answer on its way to the client: list answers (tools/list…) keep only what the
 * caller may use, and each watched message's outcome is reported. JSON is read whole (bounded);
 * an SSE stream is read event by event and passes on with backpressure, never held whole.
 */
export function answerInspector(
  contentType: string,
  watched: Watched,
  onOutcome: (id: string | number, outcome: CallOutcome) => void,
): Transform {
  const judge = (message: unknown): unknown => {
    if (!message || typeof message !== 'object') return message;
    const m = message as {
      id?: string | number;
      result?: Record<string, unknown>;
      error?: { code?: number };
    };
    if (m.id === undefined || !watched.has(m.id)) return message;
    onOutcome(
      m.id,
      m.error ? `error ${Number(m.error.code ?? 0)}` : m.result?.['isError'] === true ? 'tool-error' : 'ok',
    );
    const filter = watched.get(m.id);
    const items = filter ? m.result?.[filter.key] : undefined;
    if (!filter || !Array.isArray(items)) return message;
    const kept = items.filter((item) => {
      const name = (item as Record<string, unknown>)?.[filter.field];
      return typeof name === 'string' && nameAllowed(filter.patterns, name);
    });
    return { ...m, result: { ...m.result, [filter.key]: kept } };
  };
  const rewrite = (text: string): string => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return text;
    }
    const judged = Array.isArray(parsed) ? parsed.map(judge) : judge(parsed);
    return JSON.stringify(judged);
  };
  return /text\/event-stream/i.test(contentType) ? sseInspector(rewrite) : jsonInspector(rewrite);
}

function jsonInspector(rewrite: (text: string) => string): Transform {
  const chunks: Buffer[] = [];
  let size = 0;
  let passing = false;
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      if (passing) return done(null, chunk);
      size += chunk.length;
      chunks.push(chunk);
      if (size > MAX_JSON_BYTES) {
        passing = true;
        const held = Buffer.concat(chunks.splice(0));
        return done(null, held);
      }
      done();
    },
    flush(done: TransformCallback) {
      if (passing) return done();
      done(null, Buffer.from(rewrite(Buffer.concat(chunks).toString('utf8'))));
    },
  });
}

/** Rewrites the `data:` of each SSE event; every other line passes as it came. */
function sseInspector(rewrite: (text: string) => string): Transform {
  let pending = '';
  let event: string[] = [];
  const emit = (push: (s: string) => void) => {
    const data = event
      .filter((l) => l.startsWith('data:'))
      .map((l) => l.slice(l.startsWith('data: ') ? 6 : 5));
    if (data.length === 0) {
      push(`${event.join('\n')}\n\n`);
    } else {
      const others = event.filter((l) => !l.startsWith('data:'));
      const text = rewrite(data.join('\n'));
      push(`${[...others, ...text.split('\n').map((l) => `data: ${l}`)].join('\n')}\n\n`);
    }
    event = [];
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done: TransformCallback) {
      pending += chunk.toString('utf8');
      let out = '';
      let newline = pending.search(/\r?\n/);
      while (newline >= 0) {
        const line = pending.slice(0, newline);
        pending = pending.slice(pending[newline] === '\r' ? newline + 2 : newline + 1);
        if (line === '') {
          if (event.length > 0) emit((s) => (out += s));
        } else event.push(line);
        newline = pending.search(/\r?\n/);
      }
      done(null, out === '' ? undefined : out);
    },
    flush(done: TransformCallback) {
      let out = '';
      if (pending !== '') event.push(pending);
      if (event.length > 0) emit((s) => (out += s));
      done(null, out === '' ? undefined : out);
    },
  });
}
