import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const WRK_SCRIPT = fileURLToPath(new URL('./wrk-report.lua', import.meta.url));

/** Where a load generator sends its requests. */
export interface Target {
  readonly url: string;
  /** Host header, when the path is chosen by host (Gatehouse routes and tunnels). */
  readonly host?: string | undefined;
}

/** One closed-loop load result. */
export interface LoadResult {
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Socket errors and timeouts plus non-2xx answers. */
  readonly failures: number;
  readonly requests: number;
}

/** Reads the JSON line `wrk-report.lua` prints. */
export function parseWrkReport(stdout: string): LoadResult {
  const line = stdout.split('\n').find((l) => l.startsWith('{"requests"'));
  if (!line) throw new Error(`wrk printed no report:\n${stdout}`);
  const r = JSON.parse(line) as {
    requests: number;
    durationUs: number;
    errors: number;
    non2xx: number;
    p50Us: number;
    p99Us: number;
  };
  return {
    rps: r.requests / (r.durationUs / 1e6),
    p50Ms: r.p50Us / 1000,
    p99Ms: r.p99Us / 1000,
    failures: r.errors + r.non2xx,
    requests: r.requests,
  };
}

/** wrk: keep-alive GETs at a fixed number of connections, as fast as the path allows. */
export async function wrk(
  target: Target,
  options: { connections: number; seconds: number; threads?: number },
): Promise<LoadResult> {
  const threads = Math.min(options.threads ?? 2, options.connections);
  const args = [
    `-t${threads}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    '--timeout',
    '10s',
    '-s',
    WRK_SCRIPT,
    ...(target.host ? ['-H', `Host: ${target.host}`] : []),
    target.url,
  ];
  const { stdout } = await exec('wrk', args, { maxBuffer: 1 << 20 });
  return parseWrkReport(stdout);
}

/** Reads the percentiles and status counts of `hey`'s text summary. */
export function parseHeyReport(stdout: string): LoadResult {
  const percentile = (p: number) => {
    const match = new RegExp(`\\b${p}%+ in ([0-9.]+) secs`).exec(stdout);
    if (!match) throw new Error(`hey printed no ${p}th percentile:\n${stdout}`);
    return Math.round(Number(match[1]) * 1e7) / 1e4;
  };
  const rps = Number(/Requests\/sec:\s+([0-9.]+)/.exec(stdout)?.[1] ?? Number.NaN);
  let ok = 0;
  let other = 0;
  for (const match of stdout.matchAll(/\[(\d{3})\]\s+(\d+) responses/g)) {
    if (match[1]!.startsWith('2')) ok += Number(match[2]);
    else other += Number(match[2]);
  }
  const errors = /Error distribution:([\s\S]*)$/.exec(stdout)?.[1] ?? '';
  for (const match of errors.matchAll(/\[(\d+)\]/g)) other += Number(match[1]);
  return { rps, p50Ms: percentile(50), p99Ms: percentile(99), failures: other, requests: ok + other };
}

/** hey: keep-alive GETs at a fixed total rate (`workers` × per-worker limit), for latency under moderate load. */
export async function fixedRate(
  target: Target,
  options: { rate: number; seconds: number; workers?: number },
): Promise<LoadResult> {
  const workers = options.workers ?? 10;
  const args = [
    '-z',
    `${options.seconds}s`,
    '-c',
    String(workers),
    '-q',
    String(Math.round(options.rate / workers)),
    ...(target.host ? ['-host', target.host] : []),
    target.url,
  ];
  const { stdout } = await exec('hey', args, { maxBuffer: 1 << 20 });
  return parseHeyReport(stdout);
}

/** One bulk transfer measured by curl. */
export interface TransferResult {
  readonly mbPerSec: number;
  readonly status: number;
}

/** Uploads `file` (PUT, streamed) or downloads `bytes` through the target with curl; MB/s is 10^6 bytes. */
export async function transfer(
  target: Target,
  direction: 'upload' | 'download',
  options: { file: string; bytes: number },
): Promise<TransferResult> {
  const args = ['-s', '-o', '/dev/null', '--max-time', '120'];
  if (target.host) args.push('-H', `Host: ${target.host}`);
  if (direction === 'upload') {
    args.push('-T', options.file, '-w', '%{speed_upload} %{http_code}', `${target.url}/upload`);
  } else {
    args.push('-w', '%{speed_download} %{http_code}', `${target.url}/download?bytes=${options.bytes}`);
  }
  const { stdout } = await exec('curl', args);
  const [speed, status] = stdout.trim().split(' ');
  return { mbPerSec: Number(speed) / 1e6, status: Number(status) };
}
