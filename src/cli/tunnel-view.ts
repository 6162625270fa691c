import type { ExchangeRecord } from '../tunnel/agent/local-forwarder.ts';
import type { PassthroughRecord } from '../tunnel/agent/local-passthrough.ts';
import { JsonLines } from './json-lines.ts';
import { redactSecrets } from './redact-secrets.ts';
import { formatBytes, StatusLine } from './status-line.ts';
import { countOf } from './tunnel-messages.ts';

/** What the view shows beside the counters: where traffic goes, filled in as the run learns it. */
export interface TunnelRoutes {
  /** The public URL (once online) or the tunnel's name. */
  readonly publicName: () => string;
  readonly localOrigin: string | undefined;
  /** Where TLS clients reach a passthrough tunnel, once known, else its name. */
  readonly passthroughName: () => string;
  readonly tlsLocal: string | undefined;
  readonly inspectorUrl: () => string | undefined;
}

/** Where the view writes: stdout and stderr unless a test gives its own. */
export interface TunnelOutput {
  /** The `--json` events. */
  readonly stdout: NodeJS.WriteStream;
  /** The status line and notes. */
  readonly stderr: NodeJS.WriteStream;
  /** Whether tags are coloured: on a terminal, unless NO_COLOR is set. */
  readonly colour: boolean;
}

/** The colour of the `replay` tag on a terminal (magenta: no status class uses it). */
const REPLAY_COLOUR = '35';

/**
 * The line a replay gets, tagged `replay` (coloured when `colour`) so it is never taken for a
 * request that crossed the tunnel: `replay  POST /orders?id=3 → 201  12 ms`.
 */
export function replayLine(record: ExchangeRecord, colour: boolean): string {
  const tag = colour ? `\x1b[${REPLAY_COLOUR}mreplay\x1b[0m` : 'replay';
  const outcome = record.error
    ? `${record.status}: local server ${record.error}`
    : `${record.status}  ${record.durationMs} ms`;
  return `${tag}  ${record.method} ${record.path} → ${outcome}`;
}

/**
 * What `gatehouse tunnel` shows: a status line and notes on stderr for a person, or, with --json,
 * one JSON object per event on stdout for a script. Knows nothing of the agent itself.
 */
export class TunnelView {
  readonly json: boolean;
  readonly #status: StatusLine;
  readonly #lines: JsonLines;
  readonly #colour: boolean;
  readonly #counters = { requests: 0, connections: 0, bytesIn: 0, bytesOut: 0 };
  #state = 'connecting';
  #routes: TunnelRoutes | undefined;

  constructor(json: boolean, output: Partial<TunnelOutput> = {}) {
    this.json = json;
    const stderr = output.stderr ?? process.stderr;
    this.#status = new StatusLine(stderr);
    this.#lines = new JsonLines(output.stdout ?? process.stdout);
    this.#colour = output.colour ?? (stderr.isTTY === true && !process.env['NO_COLOR']);
  }

  /** Where the status line says traffic goes; set once the run knows its local targets. */
  showRoutes(routes: TunnelRoutes): void {
    this.#routes = routes;
  }

  /** One JSON event (with --json only); batched ones may wait for the next write. */
  emit(event: string, fields: Record<string, unknown>, options?: { batched?: boolean }): void {
    if (this.json) this.#lines.write({ event, time: new Date().toISOString(), ...fields }, options);
  }

  /** A note for a person (not with --json). */
  say(text: string): void {
    if (!this.json) this.#status.log(text);
  }

  /** An error line on stderr, with secrets in query strings redacted like every other line. */
  complain(message: string): void {
    process.stderr.write(`gatehouse tunnel: ${redactSecrets(message)}\n`);
  }

  /** A fatal error: the line for a person and the event for a script. */
  fatal(reason: string, message: string): void {
    this.emit('fatal', { reason, message });
    this.#status.done();
    this.complain(message);
  }

  connecting(attempt: number, server: string): void {
    this.emit('connecting', { attempt, server });
    this.#render();
  }

  online(fields: Record<string, unknown>): void {
    this.#state = 'online';
    this.emit('online', fields);
    this.#render();
  }

  offline(reason: string, retryInMs: number): void {
    this.#state = `offline (${reason}; retrying in ${(retryInMs / 1000).toFixed(1)} s)`;
    this.emit('offline', { reason, retryInMs });
    this.#render();
  }

  request(record: ExchangeRecord): void {
    this.#count(record);
    this.#counters.requests++;
    this.emit(
      'request',
      {
        id: record.id,
        method: record.method,
        path: record.path,
        status: record.status,
        ms: record.durationMs,
        ...(record.error ? { error: record.error } : {}),
      },
      { batched: true },
    );
    if (record.error)
      this.say(`${record.method} ${record.path} → ${record.status}: local server ${record.error}`);
    this.#progress();
  }

  /**
   * A replay the inspector sent to the local server: a line of its own tagged `replay`, or, with
   * --json, a `request` event with `replayOf` (the original's id), as the inspector's API marks it.
   * It crossed no tunnel, so the counters leave it out.
   */
  replay(record: ExchangeRecord): void {
    this.emit('request', {
      id: record.id,
      method: record.method,
      path: record.path,
      status: record.status,
      ms: record.durationMs,
      replayOf: record.replayOf,
      ...(record.error ? { error: record.error } : {}),
    });
    this.say(replayLine(record, this.#colour));
  }

  connection(record: PassthroughRecord): void {
    this.#count(record);
    this.#counters.connections++;
    this.emit(
      'connection',
      {
        id: record.id,
        ms: record.durationMs,
        bytesIn: record.bytesIn,
        bytesOut: record.bytesOut,
        whole: record.whole,
        ...(record.error ? { error: record.error } : {}),
      },
      { batched: true },
    );
    if (record.error) this.say(`TLS connection → ${this.#routes?.tlsLocal}: ${record.error}`);
    this.#progress();
  }

  stopped(): void {
    this.#status.done();
    this.emit('stopped', {});
  }

  /** The status line: state, where traffic goes, what passed. */
  line(): string {
    const r = this.#routes;
    const c = this.#counters;
    const routes = [
      r?.localOrigin ? `${r.publicName()} → ${r.localOrigin}` : '',
      r?.tlsLocal ? `TLS ${r.passthroughName()} (not terminated) → ${r.tlsLocal}` : '',
    ]
      .filter(Boolean)
      .join('   ');
    const counts = [
      r?.localOrigin ? countOf(c.requests, 'request') : '',
      r?.tlsLocal ? countOf(c.connections, 'TLS connection') : '',
    ]
      .filter(Boolean)
      .join('  ');
    const inspector = r?.inspectorUrl();
    return (
      `${this.#state === 'online' ? '● online ' : `○ ${this.#state}`}  ${routes}` +
      `   ${counts}  in ${formatBytes(c.bytesIn)}  out ${formatBytes(c.bytesOut)}` +
      (inspector ? `   inspector ${inspector}` : '')
    );
  }

  #count(record: { bytesIn: number; bytesOut: number }): void {
    this.#counters.bytesIn += record.bytesIn;
    this.#counters.bytesOut += record.bytesOut;
  }

  #render(): void {
    if (!this.json) this.#status.update(this.line());
  }

  #progress(): void {
    if (!this.json) this.#status.progress(this.line());
  }
}
