import { request } from 'undici';
import { type Clock, systemClock } from '../core/clock.ts';
import { connectFailure } from '../http/connect-failure.ts';
import { outboundAgent } from '../http/outbound.ts';
import { type AdminAccess, adminAccessOf, answerExit, answerProblem, callAdmin } from './admin-client.ts';
import { defineCommand } from './define-command.ts';
import { type LoggedRequest, requestLine } from './request-line.ts';
import { untilStopSignal } from './stop-signal.ts';

/** `gatehouse logs`: its help and the parser of its options. */
const LOGS = defineCommand({
  usage: 'Usage: gatehouse logs [options]',
  about:
    'The requests a Gatehouse answered, read from its request log through the admin API: the most recent ones, printed oldest first, one line each (time, status, method, host and path, duration, bytes sent, client, route or tunnel, user, error code). With --follow, new ones are printed as they come.',
  options: [
    {
      heading: 'Filters (all given must match)',
      options: [
        { usage: '--host NAME', does: 'Only requests to this host' },
        { usage: '--route ID', does: 'Only requests this route answered' },
        { usage: '--tunnel NAME', does: 'Only requests through this tunnel' },
        { usage: '--status S', does: 'A class (2xx, 3xx, 4xx, 5xx) or one status code, e.g. 404' },
        { usage: '--path PREFIX', does: 'Only paths starting with this' },
        { usage: '--ip ADDR', does: 'Only this client address' },
        { usage: '--user NAME', does: 'Only requests of this user (routes with login)' },
        { usage: '--since WHEN', does: 'From then on: an ISO time, or an age such as 30s, 15m, 2h, 7d' },
        { usage: '--until WHEN', does: 'Before then: an ISO time, or an age' },
      ],
    },
    {
      heading: 'Output',
      options: [
        { usage: '-f, --follow', does: 'Keep printing new requests until stopped (Ctrl-C)' },
        {
          usage: '--limit N',
          does: 'How many recent requests to print first, 1-500 (100; 10 with --follow)',
        },
        { usage: '--json', does: 'One JSON record per line, for scripts' },
      ],
    },
    {
      heading: 'Options',
      options: [
        { usage: '--server URL', does: 'Gatehouse (default http://localhost:8080)', env: 'GATEHOUSE_SERVER' },
        { usage: '--admin-key KEY', does: 'Admin API key', env: 'GATEHOUSE_ADMIN_KEY' },
        { usage: '--ca FILE', does: 'Also trust this CA (PEM) for an https server' },
        { usage: '-h, --help', does: 'Show this help' },
      ],
    },
  ],
  footer: `On a terminal the status is coloured by class; piped, lines are plain.
Exit codes: 0 done (or stopped), 1 refused (the request log is off), 2 bad usage, 3 server unreachable or gone, 4 key refused.`,
});

/** `gatehouse logs --help`. */
export const LOGS_HELP = LOGS.help;

/** Where `gatehouse logs` writes, and whether its output is a terminal (then coloured). */
export interface LogsOutput {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly terminal: boolean;
}

const PROCESS_OUTPUT: LogsOutput = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  terminal: process.stdout.isTTY === true && !process.env['NO_COLOR'],
};

/** What stops `--follow` (by default the first SIGINT or SIGTERM), and the time source of ages. */
export interface LogsContext {
  readonly stop?: Promise<void>;
  readonly clock?: Clock;
}

const AGE_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `--since`/`--until` as an ISO time: an ISO time as given, or an age back from now. */
function timeArg(value: string, now: number): string | undefined {
  const age = /^(\d+)([smhd])$/.exec(value);
  if (age) return new Date(now - Number(age[1]) * AGE_MS[age[2]!]!).toISOString();
  const ms = Date.parse(value);
  return Number.isNaN(ms) || !/^\d{4}-\d\d-\d\d/.test(value) ? undefined : new Date(ms).toISOString();
}

/** Runs `gatehouse logs …`; resolves with the exit code. */
export async function logsCommand(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  output: LogsOutput = PROCESS_OUTPUT,
  context: LogsContext = {},
): Promise<number> {
  const fail = (message: string, code = 2) => {
    output.stderr(`gatehouse logs: ${message}\n`);
    return code;
  };
  let parsed: ReturnType<typeof LOGS.parse>;
  try {
    parsed = LOGS.parse(argv);
  } catch (error) {
    return fail(`${(error as Error).message}; see gatehouse logs --help`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    output.stdout(LOGS_HELP);
    return 0;
  }
  if (positionals.length > 0) return fail(`unexpected argument '${positionals[0]}'`);
  const now = (context.clock ?? systemClock)();
  const query = new URLSearchParams();
  for (const name of ['host', 'route', 'tunnel', 'path', 'ip', 'user'] as const) {
    const value = values[name];
    if (value !== undefined) query.set(name, value);
  }
  if (values.status !== undefined) {
    if (!/^([1-5]xx|[1-5]\d\d)$/i.test(values.status))
      return fail(
        `--status must be a class (2xx, 3xx, 4xx, 5xx) or a status code such as 404, not '${values.status}'`,
      );
    query.set('status', values.status.toLowerCase());
  }
  for (const name of ['since', 'until'] as const) {
    const value = values[name];
    if (value === undefined) continue;
    const time = timeArg(value, now);
    if (!time)
      return fail(
        `--${name} must be an ISO time (2026-12-07T12:00:00Z) or an age such as 15m, not '${value}'`,
      );
    query.set(name, time);
  }
  const limit = values.limit === undefined ? (values.follow ? 10 : 100) : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500)
    return fail(`--limit must be a whole number from 1 to 500, not '${values.limit}'`);

  const access = adminAccessOf(values, env);
  if (typeof access === 'string') return fail(access);
  const colour = output.terminal && !values.json;
  const print = (r: LoggedRequest) =>
    output.stdout(`${values.json ? JSON.stringify(r) : requestLine(r, colour)}\n`);

  // Following, the stream opens first so nothing made while the recent ones are read is missed.
  const follow = values.follow ? await openStream(access, query) : undefined;
  if (follow && !follow.ok) return fail(follow.problem, follow.exit);
  try {
    const page = new URLSearchParams(query);
    page.set('limit', String(limit));
    const answer = await callAdmin(access, 'GET', `requests/?${page}`);
    if (!answer.reached || answer.status !== 200)
      return fail(answerProblem('reading the request log', access, answer), answerExit(answer));
    const recent = (answer.body['requests'] as LoggedRequest[]).toReversed();
    for (const r of recent) print(r);
    if (!follow) return 0;
    const shown = new Set(recent.map((r) => r.id));
    const stopped = context.stop ?? untilStopSignal();
    let stoppedByUser = false;
    void stopped.then(() => {
      stoppedByUser = true;
      follow.close();
    });
    try {
      for await (const record of follow.records) if (!shown.has(record.id)) print(record);
    } catch (error) {
      if (!stoppedByUser)
        return fail(`the stream from ${access.server.origin} broke: ${(error as Error).message}`, 3);
    }
    if (stoppedByUser) return 0;
    return fail(`${access.server.origin} closed the stream (it stopped or restarted)`, 3);
  } finally {
    follow?.close();
  }
}

/** An open live stream, or why it could not be opened. */
type Stream =
  | { readonly ok: true; readonly records: AsyncIterable<LoggedRequest>; close(): void }
  | { readonly ok: false; readonly problem: string; readonly exit: number };

/** Opens `/api/v1/requests/stream` and reads its `request` events. */
async function openStream(access: AdminAccess, query: URLSearchParams): Promise<Stream> {
  const dispatcher = outboundAgent({ ca: access.ca });
  const abort = new AbortController();
  const close = () => {
    abort.abort();
    dispatcher.close().catch(() => {});
  };
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await request(new URL(`/api/v1/requests/stream?${query}`, access.server), {
      headers: { authorization: `Bearer ${access.key}`, accept: 'text/event-stream' },
      dispatcher,
      signal: abort.signal,
    });
  } catch (error) {
    close();
    const failure = connectFailure(error, access.server);
    return { ok: false, problem: `cannot reach ${access.server.origin}: ${failure.message}`, exit: 3 };
  }
  if (res.statusCode !== 200) {
    const text = await res.body.text().catch(() => '');
    close();
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {}
    const answer = { reached: true as const, status: res.statusCode, body };
    return {
      ok: false,
      problem: answerProblem('following the request log', access, answer),
      exit: answerExit(answer),
    };
  }
  return { ok: true, records: events(res.body), close };
}

/** The `request` events of a Server-Sent Events body. */
async function* events(body: AsyncIterable<Buffer>): AsyncGenerator<LoggedRequest> {
  let buffered = '';
  for await (const chunk of body) {
    buffered += chunk.toString('utf8');
    let end = buffered.indexOf('\n\n');
    while (end >= 0) {
      const block = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      end = buffered.indexOf('\n\n');
      const lines = block.split('\n');
      if (!lines.includes('event: request')) continue;
      const data = lines
        .filter((l) => l.startsWith('data:'))
        .map((l) => l.slice(5).trimStart())
        .join('\n');
      yield JSON.parse(data) as LoggedRequest;
    }
  }
}
